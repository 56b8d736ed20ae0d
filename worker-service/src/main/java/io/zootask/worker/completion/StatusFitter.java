package io.zootask.worker.completion;

import io.zootask.protocol.Attempt;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a status fit in one ZooKeeper request. ZooKeeper drops the connection of a client whose request exceeds
 * {@code jute.maxbuffer} (1 MB by default) instead of refusing it, so a status that is too large would never be
 * written, however often it is retried: its task would stay assigned for ever. A task's command can be nearly 1 MB
 * (written straight into {@code /tasks}) and its output, once binary bytes are escaped as JSON, several times
 * {@code maxOutput}; together they can exceed the limit. In that case the output's head is cut, keeping its tail
 * (what a status keeps anyway); if even a status without output is too large (the command alone), a minimal
 * {@code failed} status without the command is written instead. Either way the message says why. A status also
 * carries the task's history (one entry per execution, up to a retry policy's 100): when output alone is not enough,
 * the oldest entries lose their messages, then the oldest entries go, the one this status reports always kept.
 */
final class StatusFitter {

    enum Fit {
        /** the status as it is */
        WHOLE,
        /** the status, with its output cut to its tail */
        OUTPUT_CUT,
        /** a minimal failed status, without the command */
        COMMAND_DROPPED
    }

    record Fitted(byte[] data, TaskStatus status, Fit fit) {
    }

    private final int maxBytes;

    /** @param maxBytes the most a status's data may take, with room left in the request for paths and ACLs */
    StatusFitter(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    int maxBytes() {
        return maxBytes;
    }

    Fitted fit(TaskStatus status) {
        byte[] whole = ProtocolCodec.encode(status);
        if (whole.length <= maxBytes) {
            return new Fitted(whole, status, Fit.WHOLE);
        }
        String note = "output cut to fit the status in ZooKeeper's request limit (" + maxBytes + " bytes)";
        String message = status.message() == null ? note : status.message() + "; " + note;
        String output = status.output() == null ? "" : status.output();
        if (encodedWithTail(status, output, 0, message).length <= maxBytes) {
            TaskStatus cut = withTail(status, output, longestTailThatFits(status, output, message), message);
            return new Fitted(ProtocolCodec.encode(cut), cut, Fit.OUTPUT_CUT);
        }
        String historyNote = note.replace("output cut", "output and history cut");
        String historyMessage = status.message() == null ? historyNote : status.message() + "; " + historyNote;
        List<Attempt> history = shortestHistoryCut(status, historyMessage);
        if (history != null) {
            TaskStatus shorter = withHistory(status, history);
            TaskStatus cut = withTail(shorter, output, longestTailThatFits(shorter, output, historyMessage),
                    historyMessage);
            return new Fitted(ProtocolCodec.encode(cut), cut, Fit.OUTPUT_CUT);
        }
        return withoutCommand(status, whole.length);
    }

    /**
     * The history with as little cut as it takes for the status, without output, to fit: first the oldest entries'
     * messages, then the oldest entries; {@code null} if even the last entry alone is too much.
     */
    private List<Attempt> shortestHistoryCut(TaskStatus status, String message) {
        List<Attempt> history = new ArrayList<>(status.attempts());
        for (int i = 0; i < history.size() - 1; i++) {
            Attempt a = history.get(i);
            if (a.message() != null) {
                history.set(i, new Attempt(a.attempt(), a.worker(), a.state(), a.exitCode(), a.startedAt(),
                        a.finishedAt(), null));
                if (fitsWithoutOutput(status, history, message)) {
                    return history;
                }
            }
        }
        while (history.size() > 1) {
            history.remove(0);
            if (fitsWithoutOutput(status, history, message)) {
                return history;
            }
        }
        return null;
    }

    private boolean fitsWithoutOutput(TaskStatus status, List<Attempt> history, String message) {
        return encodedWithTail(withHistory(status, history), "", 0, message).length <= maxBytes;
    }

    private static TaskStatus withHistory(TaskStatus status, List<Attempt> history) {
        return new TaskStatus(status.state(), status.command(), status.exitCode(), status.output(),
                status.outputTruncated(), status.worker(), status.attempt(), status.submittedAt(),
                status.startedAt(), status.finishedAt(), status.message(), status.submission(),
                status.submittedBy(), history);
    }

    /** Binary search: the encoded size grows with the tail's length. */
    private int longestTailThatFits(TaskStatus status, String output, String message) {
        int fits = 0;
        int tooLong = output.length() + 1;
        while (tooLong - fits > 1) {
            int middle = (fits + tooLong) >>> 1;
            if (encodedWithTail(status, output, middle, message).length <= maxBytes) {
                fits = middle;
            } else {
                tooLong = middle;
            }
        }
        return fits;
    }

    private static byte[] encodedWithTail(TaskStatus status, String output, int length, String message) {
        return ProtocolCodec.encode(withTail(status, output, length, message));
    }

    private static TaskStatus withTail(TaskStatus status, String output, int length, String message) {
        int start = output.length() - length;
        if (start > 0 && start < output.length() && Character.isLowSurrogate(output.charAt(start))) {
            start++; // never begin with half a character
        }
        return new TaskStatus(status.state(), status.command(), status.exitCode(), output.substring(start),
                Boolean.TRUE, status.worker(), status.attempt(), status.submittedAt(), status.startedAt(),
                status.finishedAt(), message, status.submission(), status.submittedBy(), status.attempts());
    }

    private Fitted withoutCommand(TaskStatus status, int wholeBytes) {
        String message = "the status (" + wholeBytes + " bytes) does not fit ZooKeeper's request limit ("
                + maxBytes + " bytes) even without output: its command was dropped; the task ended "
                + status.state().wireName() + (status.exitCode() == null ? "" : " with exit code " + status.exitCode())
                + (status.message() == null ? "" : " (" + abbreviate(status.message()) + ")");
        TaskStatus minimal = new TaskStatus(TaskState.FAILED, null, status.exitCode(), null, null, status.worker(),
                status.attempt(), status.submittedAt(), status.startedAt(), status.finishedAt(), message,
                status.submission(), status.submittedBy());
        byte[] data = ProtocolCodec.encode(minimal);
        if (data.length > maxBytes) {
            // a hand-written task may carry anything in its copied fields: keep only what the worker itself knows
            minimal = new TaskStatus(TaskState.FAILED, null, status.exitCode(), null, null, abbreviate(status.worker()),
                    status.attempt(), null, status.startedAt(), status.finishedAt(), message, null, null);
            data = ProtocolCodec.encode(minimal);
        }
        return new Fitted(data, minimal, Fit.COMMAND_DROPPED);
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 1000) + "...";
    }
}
