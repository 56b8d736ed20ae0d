package io.zootask.gateway.events;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One client's open {@code text/event-stream} response, written with non-blocking servlet I/O: a subscriber costs no
 * thread while it waits, and a client that reads slowly never holds a sender thread (its bytes wait in its
 * {@link FrameSource}, or the source tells it to reset).
 *
 * <p>Whoever has news calls {@link #wake()}; at most one drain is scheduled at a time, and a drain takes every frame
 * pending, so a busy stream's wake-ups cost a flag check each and its writes batch themselves.
 */
final class EventStream implements WriteListener, AsyncListener {

    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_CHUNK = 64 * 1024;

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final FrameSource source;
    private final Executor senders;
    private final Consumer<EventStream> onEnd;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean endReported = new AtomicBoolean();
    private volatile boolean heartbeatDue;
    private boolean ended; // guarded by this

    EventStream(AsyncContext async, ServletOutputStream out, FrameSource source, Executor senders,
                Consumer<EventStream> onEnd) {
        this.async = async;
        this.out = out;
        this.source = source;
        this.senders = senders;
        this.onEnd = onEnd;
    }

    /** Starts writing: from now on the container calls {@link #onWritePossible()} when the client can take more. */
    void start() {
        async.addListener(this);
        scheduled.set(true); // the container's first onWritePossible is the first drain
        out.setWriteListener(this);
    }

    /** There is something to send: schedule a drain unless one is scheduled or running. */
    void wake() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                senders.execute(this::drain);
            } catch (RuntimeException shuttingDown) {
                end();
            }
        }
    }

    /** Sends a keep-alive comment at the next drain, unless events go out first (they keep it alive as well). */
    void heartbeat() {
        heartbeatDue = true;
        wake();
    }

    @Override
    public void onWritePossible() {
        drain();
    }

    private synchronized void drain() {
        try {
            while (!ended) {
                if (!out.isReady()) {
                    return; // still scheduled: the container calls onWritePossible once the client took the bytes
                }
                byte[] chunk = source.next(MAX_CHUNK);
                if (chunk == null && heartbeatDue) {
                    chunk = KEEP_ALIVE;
                }
                if (chunk == null) {
                    if (source.finished()) {
                        end(); // what was written has been flushed: isReady() said so
                        return;
                    }
                    scheduled.set(false);
                    // a wake() between next() and the line above found the flag set and left: look again
                    if (!(source.hasMore() || heartbeatDue) || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                heartbeatDue = false;
                out.write(chunk);
                if (out.isReady()) {
                    out.flush(); // written into the response's buffer: send it now, not when the buffer fills
                }
            }
        } catch (IOException | IllegalStateException clientGone) {
            end();
        }
    }

    @Override
    public void onError(Throwable clientGone) {
        end();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end(); // the connection's lifetime is over: the client reconnects with Last-Event-ID
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        synchronized (this) {
            ended = true;
        }
        reportEnd();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // started once, by the controller
    }

    private void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        try {
            async.complete();
        } catch (IllegalStateException completedMeanwhile) {
            // the container ended it first
        }
        reportEnd();
    }

    private void reportEnd() {
        if (endReported.compareAndSet(false, true)) {
            onEnd.accept(this);
        }
    }
}
