package io.zootask.gateway.events;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /tasks/{id}/events}: the task as it is now, then each later change, and the end after its terminal
 * state. It is registered before the task is read, so a change that lands between the read and the first write is
 * not lost; changes the read already shows are dropped, as is anything older than what was sent ({@code progress}).
 */
final class StreamOfOneTask implements FrameSource {

    private final String taskId;
    private final List<EventFrame> pending = new ArrayList<>(); // guarded by this
    private boolean begun; // guarded by this
    private boolean ended; // the terminal frame was handed out; guarded by this
    private int sent = -1; // the progress of the last frame handed out; guarded by this
    private volatile EventStream stream; // once the response is open

    StreamOfOneTask(String taskId) {
        this.taskId = taskId;
    }

    String taskId() {
        return taskId;
    }

    /** The task as read after registering: sent first, and what it already shows is skipped. */
    synchronized void begin(EventFrame current) {
        List<EventFrame> held = new ArrayList<>(pending);
        pending.clear();
        pending.add(current);
        for (EventFrame frame : held) {
            if (frame.progress() > current.progress()) {
                pending.add(frame);
            }
        }
        begun = true;
    }

    /** A change of this task, from the hub. */
    void offer(EventFrame frame) {
        synchronized (this) {
            pending.add(frame);
        }
        EventStream open = stream;
        if (open != null) {
            open.wake();
        }
    }

    /** Ends the stream with {@code frame} (a reset): whatever else is pending is dropped. */
    void endWith(byte[] frame) {
        offer(new EventFrame(0, EventFrame.Kind.RESET, taskId, null, Integer.MAX_VALUE, true, frame));
    }

    /** The response these frames go to, once open. */
    void attach(EventStream open) {
        stream = open;
        open.wake();
    }

    void heartbeat() {
        EventStream open = stream;
        if (open != null) {
            open.heartbeat();
        }
    }

    @Override
    public synchronized byte[] next(int maxBytes) {
        if (!begun || ended) {
            return null;
        }
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        for (EventFrame frame : pending) {
            if (frame.progress() > sent) {
                chunk.writeBytes(frame.bytes());
                sent = frame.progress();
                if (frame.terminal()) {
                    ended = true;
                    break;
                }
            }
        }
        pending.clear();
        return chunk.size() == 0 ? null : chunk.toByteArray();
    }

    @Override
    public synchronized boolean hasMore() {
        return begun && !ended && !pending.isEmpty();
    }

    @Override
    public synchronized boolean finished() {
        return ended;
    }
}
