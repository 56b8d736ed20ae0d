package io.zootask.master.cluster;

import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.ZNodes;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * A queued task as the master read it: its decoded spec (for priority, delay and routing), and the exact bytes and
 * version it will copy into an assignment and delete, so that what is assigned is what was judged.
 */
public record QueuedTask(String id, TaskSpec spec, byte[] data, int version) {

    /** Higher priority first; within one priority, oldest first. */
    public static final Comparator<QueuedTask> BY_PRIORITY = Comparator
            .comparingInt((QueuedTask t) -> -t.spec().effectivePriority())
            .thenComparing(QueuedTask::id, ZNodes.TASK_ORDER);
    /** Oldest first, whatever the priority. */
    public static final Comparator<QueuedTask> BY_AGE = Comparator.comparing(QueuedTask::id, ZNodes.TASK_ORDER);
    /** Soonest due first. */
    static final Comparator<QueuedTask> BY_DUE = Comparator.comparing((QueuedTask t) -> t.spec().notBefore())
            .thenComparing(QueuedTask::id, ZNodes.TASK_ORDER);

    public Map<String, String> requires() {
        return spec.requires();
    }

    public int priority() {
        return spec.effectivePriority();
    }

    boolean dueBy(Instant now) {
        Instant notBefore = spec.notBefore();
        return notBefore == null || !notBefore.isAfter(now);
    }
}
