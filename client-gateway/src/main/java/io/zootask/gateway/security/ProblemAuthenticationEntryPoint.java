package io.zootask.gateway.security;

import io.zootask.gateway.errors.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * 401: no key, or a key that is not one. Says {@code WWW-Authenticate: Bearer} (RFC 6750, with
 * {@code error="invalid_token"} when a key was presented) and explains in an RFC 7807 problem how to authenticate.
 */
final class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {

    static final String REALM = "Bearer realm=\"zootask\"";

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException reason)
            throws IOException {
        boolean presented = reason instanceof ApiKeyRejectedException;
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, presented ? REALM + ", error=\"invalid_token\"" : REALM);
        String detail = presented ? reason.getMessage()
                : ProblemResponses.describe(request) + " needs an API key: send the header 'Authorization: Bearer"
                + " <key>' (in Swagger UI: Authorize)";
        ProblemResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
                "Authentication required", detail);
    }
}
