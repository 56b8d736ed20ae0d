package io.zootask.gateway.tasks;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Outside every other filter: tells a {@link LongPoll} started by this request that its dispatch is over, so that
 * its answer can be written without racing the filters still on their way out.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class LongPollFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } finally {
            if (request.isAsyncStarted()) {
                LongPoll poll = LongPoll.of(request);
                if (poll != null) {
                    poll.dispatchReturned();
                }
            }
        }
    }
}
