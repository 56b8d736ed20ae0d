package io.zootask.gateway.errors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * 415 for a body labelled with a pattern instead of a type ({@code Content-Type: *}{@code /*}, {@code application/*}).
 * Spring MVC lets such a request reach {@code POST /tasks} (the pattern matches what the endpoint consumes) and then
 * fails to read the body with an {@code IllegalArgumentException}, which was a 500.
 */
@Component
class WildcardContentTypeFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        if (contentType != null && isPattern(contentType)) {
            ProblemResponses.write(request, response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type", "Unsupported Media Type", "Content-Type must name the type of the"
                            + " body, application/json or text/plain, not a pattern with '*'");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isPattern(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return type.isWildcardType() || type.isWildcardSubtype();
        } catch (InvalidMediaTypeException unparsable) {
            return false; // Spring MVC answers that itself: 415
        }
    }
}
