package io.zootask.gateway.security;

/** {@code zootask.gateway.security.*} cannot be used as given; the message says which setting and why. */
public class InvalidSecurityConfigurationException extends RuntimeException {

    public InvalidSecurityConfigurationException(String message) {
        super(message);
    }
}
