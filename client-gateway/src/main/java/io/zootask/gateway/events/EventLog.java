package io.zootask.gateway.events;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@code capacity} events of this gateway, by sequence number: one writer appends, any number of readers
 * follow with cursors of their own and never lock. Event ids are {@code <epoch>-<seq>}, the epoch naming this log, so
 * a {@code Last-Event-ID} from another gateway, or from before a restart, is recognised as unknown, not misread.
 */
final class EventLog {

    private final String epoch;
    private final AtomicReferenceArray<EventFrame> slots;
    private volatile long head; // the newest seq; 0 before the first event
    private volatile long gapAfter = -1; // events after this seq went untold (nobody listened)
    private volatile long endGapAfter = -1; // the same for ends, which ends-only clients also get

    EventLog(String epoch, int capacity) {
        this.epoch = epoch;
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    int capacity() {
        return slots.length();
    }

    long head() {
        return head;
    }

    /** Event {@code seq}, or null if it was overwritten (or is not written yet). */
    EventFrame frame(long seq) {
        EventFrame frame = slots.get((int) (seq % slots.length()));
        return frame != null && frame.seq() == seq ? frame : null;
    }

    /** Appends an event; the caller serialises appends and gaps (the hub, under its lock). */
    EventFrame append(EventFrame.Kind kind, String taskId, String submittedBy, int progress, boolean terminal,
                      byte[] json) {
        long seq = head + 1;
        EventFrame frame = new EventFrame(seq, kind, taskId, submittedBy, progress, terminal,
                encode(epoch + "-" + seq, kind.wireName(), json));
        slots.set((int) (seq % slots.length()), frame);
        head = seq; // volatile: publishes the slot to readers
        return frame;
    }

    /**
     * Changes after the newest event went untold: a client that saw only events up to here cannot resume. An untold
     * end stops ends-only clients too; an untold other change does not.
     */
    void gap(boolean end) {
        gapAfter = Math.max(gapAfter, head);
        if (end) {
            endGapAfter = Math.max(endGapAfter, head);
        }
    }

    /**
     * The cursor to go on from for a client that last saw {@code lastEventId}: that event's seq while the log still
     * holds everything after it that it wants (everything, or only the ends), else -1 (the client must reset).
     */
    long resumeAfter(String lastEventId, boolean endsOnly) {
        if (lastEventId == null || !lastEventId.startsWith(epoch + "-")) {
            return -1;
        }
        long seq;
        try {
            seq = Long.parseLong(lastEventId.substring(epoch.length() + 1));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
        long newest = head;
        if (seq < 0 || seq > newest || seq <= (endsOnly ? endGapAfter : gapAfter)) {
            return -1;
        }
        return seq == newest || frame(seq + 1) != null ? seq : -1;
    }

    /** An {@code event: reset}: the client must reload what it shows, as it cannot know what it missed. */
    byte[] resetFrame(String reason) {
        return encode(null, EventFrame.Kind.RESET.wireName(), resetJson(reason));
    }

    byte[] resetJson(String reason) {
        String json = "{\"reason\":\"" + reason.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** An event without an {@code id:}: a snapshot a client gets on connecting, which moves no cursor of its own. */
    static byte[] unnumbered(EventFrame.Kind kind, byte[] json) {
        return encode(null, kind.wireName(), json);
    }

    private static byte[] encode(String id, String event, byte[] json) {
        // JSON from Jackson has no raw newline (they are escaped in strings): one data line
        String head = (id == null ? "" : "id: " + id + "\n") + "event: " + event + "\ndata: ";
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[start.length + json.length + 2];
        System.arraycopy(start, 0, frame, 0, start.length);
        System.arraycopy(json, 0, frame, start.length, json.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        return frame;
    }
}
