package io.zootask.gateway.errors;

import io.zootask.gateway.GatewayProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses bodies over the limit: at once when Content-Length says so, and while reading when the body is chunked,
 * so an oversized body is never buffered whole.
 *
 * <p>A JSON {@code POST /tasks} may be a batch (an array of tasks), which has a limit of its own: which limit applies
 * is known only from the body's first character, so such a body is counted as it is read, against the single limit
 * until it turns out to start with {@code [}.
 */
@Component
class BodySizeLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final long batchLimit;

    public BodySizeLimitFilter(GatewayProperties properties) {
        this.limit = properties.maxBodySize().toBytes();
        this.batchLimit = Math.max(limit, properties.maxBatchBodySize().toBytes());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        boolean mayBeBatch = batchLimit > limit && isJsonTaskSubmission(request);
        long ceiling = mayBeBatch ? batchLimit : limit;
        if (declared > ceiling) {
            String detail = "request body is larger than the limit of " + limit + " bytes"
                    + (mayBeBatch ? " (" + batchLimit + " for a batch, a JSON array of tasks)" : "");
            response.setStatus(413);
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.getWriter().write("{\"type\":\"https://zootask.io/problems/payload-too-large\","
                    + "\"title\":\"Request body too large\",\"status\":413,\"detail\":\"" + detail
                    + "\",\"instance\":\"" + request.getRequestURI().replaceAll("[^A-Za-z0-9/_.\\-]", "") + "\"}");
            return;
        }
        boolean withinEveryLimit = declared >= 0 && declared <= limit;
        chain.doFilter(withinEveryLimit ? request : new Limited(request, limit, ceiling), response);
    }

    private static boolean isJsonTaskSubmission(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod()) || !"/tasks".equals(request.getRequestURI())
                || request.getContentType() == null) {
            return false;
        }
        try {
            return MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(request.getContentType()));
        } catch (InvalidMediaTypeException unparsable) {
            return false; // refused later as it always was
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long arrayLimit;
        private long limit;
        /** Whether the body's first significant byte was read, and so which limit is the body's. */
        private boolean decided;
        private long read;

        Limited(HttpServletRequest request, long limit, long arrayLimit) {
            super(request);
            this.limit = limit;
            this.arrayLimit = arrayLimit;
            this.decided = arrayLimit == limit;
        }

        private void count(byte[] buffer, int offset, int length) {
            for (int i = offset; !decided && i < offset + length; i++) {
                decide(buffer[i]);
            }
            if ((read += length) > limit) {
                throw new PayloadTooLargeException(limit);
            }
        }

        /** White space and a byte-order mark come before the first character that says what the body is. */
        private void decide(byte b) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || (b & 0x80) != 0 || b == 0) {
                return;
            }
            decided = true;
            if (b == '[') {
                limit = arrayLimit;
            }
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count(new byte[] {(byte) b}, 0, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = in.read(buffer, offset, length);
                    if (n > 0) {
                        count(buffer, offset, n);
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
        }
    }
}
