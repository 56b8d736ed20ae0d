package io.zootask.gateway.errors;

/** The queue holds more tasks than {@code zootask.gateway.max-queued}: answers 429 with Retry-After. */
public class QueueFullException extends RuntimeException {

    public QueueFullException(int queued, int limit) {
        super(queued + " tasks are waiting, the limit is " + limit + "; nothing was written, retry later");
    }
}
