package io.zootask.gateway.errors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * 400 for a path Spring cannot decode. Jetty lets a broken %-encoding through inside a path parameter
 * ({@code /x;%q/y}), and Spring's own path parsing, first thing in the security filter chain, then throws an
 * {@code IllegalArgumentException} that became a 500. Parsed here first, before anything else, the same way.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UndecodablePathFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            RequestPath.parse(request.getRequestURI(), request.getContextPath());
        } catch (IllegalArgumentException undecodable) {
            ProblemResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, "bad-request",
                    "Bad Request", "the request path cannot be decoded (a '%' must be followed by two hex digits of"
                            + " UTF-8); nothing was done");
            return;
        }
        chain.doFilter(request, response);
    }
}
