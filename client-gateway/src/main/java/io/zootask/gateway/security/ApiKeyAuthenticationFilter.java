package io.zootask.gateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns {@code Authorization: Bearer <key>} into a {@link Caller}.
 *
 * <ul>
 * <li>No keys configured (open gateway): every request is the all-roles {@link Caller#open()}; a header, if any, is
 * ignored.
 * <li>No header: the request goes on unauthenticated; the open endpoints (health probes, API docs) answer it, every
 * other one answers 401 through the entry point.
 * <li>A header that is not a known key: 401 at once, whatever the endpoint, so that a misconfigured client finds out
 * instead of silently getting the anonymous view.
 * </ul>
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";

    private final ApiKeys keys;
    private final AuthenticationEntryPoint entryPoint;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyAuthenticationFilter(ApiKeys keys, AuthenticationEntryPoint entryPoint) {
        this.keys = keys;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (keys.isEmpty()) {
            authenticate(Caller.open());
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            chain.doFilter(request, response);
            return;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.substring(BEARER.length()).isBlank()) {
            entryPoint.commence(request, response, new ApiKeyRejectedException("the Authorization header must be"
                    + " 'Bearer <key>'"));
            return;
        }
        Optional<ApiKey> key = keys.match(header.substring(BEARER.length()).strip());
        if (key.isEmpty()) {
            entryPoint.commence(request, response, new ApiKeyRejectedException("the API key is not valid; check the"
                    + " key, or ask the operator of this gateway for one"));
            return;
        }
        authenticate(key.get().caller());
        chain.doFilter(request, response);
    }

    private void authenticate(Caller caller) {
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller, null,
                caller.roles().stream().map(role -> new SimpleGrantedAuthority(role.authority())).toList()));
        contexts.setContext(context);
    }
}
