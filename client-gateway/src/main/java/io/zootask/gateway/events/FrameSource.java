package io.zootask.gateway.events;

/** What one client's stream sends next; called by one thread at a time (its {@link EventStream}'s). */
interface FrameSource {

    /** The next frames to send, concatenated, about {@code maxBytes} at most; null when there is nothing now. */
    byte[] next(int maxBytes);

    /** Whether {@link #next} would return something now: checked after the stream went idle, so no wake-up is lost. */
    boolean hasMore();

    /** Whether the stream is over once what was handed out is written (one task's stream, after its end). */
    boolean finished();
}
