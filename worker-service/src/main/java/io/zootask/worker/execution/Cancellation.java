package io.zootask.worker.execution;

import java.time.Duration;

/**
 * A user's request to take one execution back, which may come before its process starts, while it runs, or after
 * it ended. Whoever runs the execution attaches what stops it once there is something to stop; a cancel before that
 * stops it from starting, one after it runs the stop at once. Either order ends the same way.
 */
public final class Cancellation {

    private boolean cancelled; // guarded by this
    private Runnable stop; // guarded by this

    public void cancel() {
        Runnable toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = stop;
            notifyAll();
        }
        if (toRun != null) {
            toRun.run();
        }
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code action} when cancelled, or now if already cancelled. */
    void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                stop = action;
                return;
            }
        }
        action.run();
    }

    /** Waits up to {@code duration} for a cancel; true if there was one. */
    public synchronized boolean awaitCancel(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        long left;
        while (!cancelled && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
        return cancelled;
    }
}
