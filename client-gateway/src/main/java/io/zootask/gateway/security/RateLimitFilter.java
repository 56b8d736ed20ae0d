package io.zootask.gateway.security;

import io.zootask.gateway.errors.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * 429 with {@code Retry-After} for a key over its rate, before the request reaches anything that could touch
 * ZooKeeper. Only requests authenticated by a key count: an open gateway's anonymous callers are not limited (see
 * {@link GatewaySecurityProperties.RateLimit}), and unauthenticated ones only reach the health probes and API docs.
 * A long-poll counts once, when it starts.
 */
final class RateLimitFilter extends OncePerRequestFilter {

    private final KeyRateLimiter limiter;

    RateLimitFilter(KeyRateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContextHolderStrategy().getContext()
                .getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Caller caller
                && caller.keyId() != null) {
            Optional<Duration> wait = limiter.tryAcquire(caller.keyId());
            if (wait.isPresent()) {
                long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
                response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
                ProblemResponses.write(request, response, 429, "rate-limited", "Too many requests",
                        "the key '" + caller.keyId() + "' is over its rate limit of " + limiter.limit().perSecond()
                                + " requests per second (bursts of " + limiter.limit().burst() + "); nothing was"
                                + " done, retry after " + seconds + " s");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
