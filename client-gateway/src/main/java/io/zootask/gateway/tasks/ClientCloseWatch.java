package io.zootask.gateway.tasks;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Tells, while an HTTP/1 request waits for its answer, that its client can send no more: its end of the connection
 * closed.
 *
 * <p>Why: Jetty 12.1's {@code HttpConnection} stops reading a connection while a request is handled and reads again
 * only once the response is complete, so a suspended request never hears of its client leaving (the servlet API
 * tells only on the next write, and a long-poll writes once, at its end). This watch is a read interest of its own on
 * the connection's {@link EndPoint} for as long as the request waits: the selector wakes it when the socket turns
 * readable, so a waiting request costs no thread and no system call, only this object.
 *
 * <p>What it reads belongs to Jetty, so it reads one byte at most: end of input means the client closed; a byte of
 * data (a client pipelining its next request) is handed back to the connection, as the bytes an upgrade read before
 * it ({@link Connection.UpgradeTo}), and the watch ends, as such a client is still there. And it must be gone before
 * the response completes: Jetty closes a connection that has a read pending when its response completes ("Pending
 * read in onCompleted"), so {@link #stop()} withdraws it first; keep-alive goes on as if the watch never was.
 */
final class ClientCloseWatch implements Callback {

    private static final CancellationException ANSWERED = new CancellationException("the request is answered");

    private enum State { NEW, WATCHING, DONE }

    private final AbstractEndPoint endPoint;
    private final Connection.UpgradeTo connection;
    private State state = State.NEW; // guarded by this
    private Runnable onClosed; // guarded by this

    private ClientCloseWatch(AbstractEndPoint endPoint, Connection.UpgradeTo connection) {
        this.endPoint = endPoint;
        this.connection = connection;
    }

    /**
     * A watch for {@code request}'s connection, not started. It watches nothing where reading would not be the
     * request's alone: not HTTP/2 (one connection, many requests; a reset stream tells Jetty anyway), not a request
     * Jetty did not make.
     */
    static ClientCloseWatch of(HttpServletRequest request) {
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
        if (jetty == null) {
            return new ClientCloseWatch(null, null);
        }
        if (!bodyRead(request)) {
            // the rest of its body (a chunked request's last bytes) is still to come: reading for a close would
            // take it
            return new ClientCloseWatch(null, null);
        }
        ConnectionMetaData meta = jetty.getConnectionMetaData();
        Connection connection = meta.getConnection();
        EndPoint endPoint = connection.getEndPoint();
        boolean http1 = meta.getHttpVersion() == HttpVersion.HTTP_1_1 || meta.getHttpVersion() == HttpVersion.HTTP_1_0;
        if (http1 && endPoint.getConnection() == connection && endPoint instanceof AbstractEndPoint own
                && connection instanceof Connection.UpgradeTo upgradeTo) {
            return new ClientCloseWatch(own, upgradeTo);
        }
        return new ClientCloseWatch(null, null);
    }

    private static boolean bodyRead(HttpServletRequest request) {
        if (request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null) {
            return true; // no body at all (a GET)
        }
        try {
            return request.getInputStream().isFinished();
        } catch (IOException | IllegalStateException readAsText) {
            return false; // read through getReader(): not ours to ask; watch nothing
        }
    }

    /** Runs {@code onClosed} once, on a Jetty thread, should the client close before {@link #stop()}. */
    void start(Runnable onClosed) {
        synchronized (this) {
            if (state != State.NEW || endPoint == null) {
                state = State.DONE;
                return;
            }
            this.onClosed = onClosed;
            state = State.WATCHING;
            // under the lock: a stop() meanwhile must find the interest it withdraws
            if (!endPoint.tryFillInterested(this)) {
                state = State.DONE; // someone reads already: not ours to watch
            }
        }
    }

    /** Ends the watch, before the response is written: from then on the connection is Jetty's alone again. */
    void stop() {
        synchronized (this) {
            boolean watching = state == State.WATCHING;
            state = State.DONE;
            if (!watching) {
                return;
            }
        }
        // the interest, if still pending, is ours: Jetty registers its own only once the response is complete
        endPoint.getFillInterest().onFail(ANSWERED);
    }

    /** The socket is readable: data, end of input, or a reset. */
    @Override
    public void succeeded() {
        Runnable closed = null;
        synchronized (this) {
            if (state != State.WATCHING) {
                return; // stopped meanwhile
            }
            ByteBuffer one = BufferUtil.allocate(1);
            int filled;
            try {
                filled = endPoint.fill(one);
            } catch (IOException reset) {
                filled = -1;
            }
            if (filled < 0) {
                state = State.DONE;
                closed = onClosed;
            } else if (filled > 0) {
                state = State.DONE;
                connection.onUpgradeTo(one);
                if (one.hasRemaining()) {
                    // the connection had no room left for it: the request stream is broken, as if reset
                    endPoint.close(new IOException("pipelined bytes could not be handed back"));
                }
            } else if (!endPoint.tryFillInterested(this)) {
                state = State.DONE; // a wake-up with nothing to read; only Jetty could have registered meanwhile
            }
        }
        if (closed != null) {
            closed.run(); // outside the lock: it calls into Jetty
        }
    }

    /** Withdrawn by {@link #stop()}, or the connection closed. */
    @Override
    public void failed(Throwable cause) {
        Runnable closed;
        synchronized (this) {
            if (state != State.WATCHING) {
                return;
            }
            state = State.DONE;
            closed = onClosed;
        }
        closed.run();
    }
}
