package io.zootask.gateway.errors;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A request whose {@code Content-Type} names a charset Java cannot use ({@code charset="}, {@code charset=nope}):
 * Spring MVC decodes the request path with that charset while writing any answer, so every answer to it, even the
 * error page's, failed with a 500 in HTML. Such a request is refused with a 415; on the error dispatch (Jetty refused
 * the request before any filter ran, e.g. {@code /WEB-INF/...}) the charset is hidden so the problem can be written.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnusableCharsetFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (usable(request)) {
            chain.doFilter(request, response);
        } else if (request.getDispatcherType() == DispatcherType.ERROR) {
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public String getCharacterEncoding() {
                    return null; // the default: UTF-8 for Spring's path decoding
                }
            }, response);
        } else {
            ProblemResponses.write(request, response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type", "Unsupported Media Type", "the charset in Content-Type is not one"
                            + " this server knows; send UTF-8 (or no charset)");
        }
    }

    private static boolean usable(HttpServletRequest request) {
        String charset = request.getCharacterEncoding();
        if (charset == null) {
            return true;
        }
        try {
            return Charset.isSupported(charset);
        } catch (IllegalArgumentException illegalName) {
            return false;
        }
    }
}
