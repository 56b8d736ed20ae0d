package io.zootask.gateway.security;

import org.springframework.security.core.AuthenticationException;

/** A request presented a key, and it is not one: malformed header or unknown key. Its message is the 401's detail. */
class ApiKeyRejectedException extends AuthenticationException {

    ApiKeyRejectedException(String message) {
        super(message);
    }
}
