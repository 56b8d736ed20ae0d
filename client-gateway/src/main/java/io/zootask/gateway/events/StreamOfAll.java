package io.zootask.gateway.events;

import io.zootask.gateway.security.Caller;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code GET /events}: every event the caller may see, read from the hub's shared log by a cursor of its own, so that
 * publishing an event costs the hub one append however many clients follow it. A client that falls further behind
 * than the log reaches gets a {@code reset} and goes on from the newest event. An ends-only stream
 * ({@code ?endsOnly=true}) passes on only the events of tasks ending, and resets.
 */
final class StreamOfAll implements FrameSource {

    private final EventLog log;
    private final Caller caller;
    private final boolean endsOnly;
    private final Deque<byte[]> preface = new ArrayDeque<>(); // guarded by this
    private long cursor; // the last seq handed out; guarded by this

    /** Follows {@code log} from after {@code cursor}, sending {@code preface} (a snapshot, a reset) first. */
    StreamOfAll(EventLog log, Caller caller, boolean endsOnly, long cursor, Iterable<byte[]> preface) {
        this.log = log;
        this.caller = caller;
        this.endsOnly = endsOnly;
        this.cursor = cursor;
        preface.forEach(this.preface::add);
    }

    @Override
    public synchronized byte[] next(int maxBytes) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        while (!preface.isEmpty()) {
            chunk.writeBytes(preface.poll());
        }
        long head = log.head();
        while (cursor < head && chunk.size() < maxBytes) {
            EventFrame frame = log.frame(cursor + 1);
            if (frame == null) {
                // overwritten before this client read it: it cannot know what it missed
                chunk.writeBytes(log.resetFrame("this client fell more than " + log.capacity()
                        + " events behind; reload"));
                cursor = head;
                break;
            }
            cursor = frame.seq();
            if (frame.visibleTo(caller) && (!endsOnly || frame.terminal() || frame.kind() == EventFrame.Kind.RESET)) {
                chunk.writeBytes(frame.bytes());
            }
        }
        return chunk.size() == 0 ? null : chunk.toByteArray();
    }

    @Override
    public synchronized boolean hasMore() {
        return !preface.isEmpty() || cursor < log.head();
    }

    @Override
    public boolean finished() {
        return false;
    }
}
