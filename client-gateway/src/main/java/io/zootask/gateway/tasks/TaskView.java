package io.zootask.gateway.tasks;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.protocol.Attempt;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as the API shows it, assembled from whichever znode holds it now.
 *
 * @param submittedBy the id of the API key that submitted it; absent when the gateway runs without keys
 * @param attempts    the executions so far: while the task waits or runs, the earlier ones; once it finished, every one
 * @param notBefore   no execution starts earlier (a delay, or the pause before a retry); known until it finishes
 * @param priority    0 to 9; known until it finishes
 * @param requires    the labels a worker must carry to run it; known until it finishes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(String id, TaskState state, List<String> command, Integer timeoutSeconds, String worker,
                Integer attempt, Instant submittedAt, Instant startedAt, Instant finishedAt, Integer exitCode,
                String output, Boolean outputTruncated, String message, String submittedBy,
                @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Attempt> attempts, Instant notBefore,
                Integer priority, @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> requires) {

    static TaskView queued(String id, TaskSpec spec) {
        return new TaskView(id, TaskState.QUEUED, spec.command(), spec.timeoutSeconds(), null, spec.attempt(),
                spec.submittedAt(), null, null, null, null, null, null, spec.submittedBy(), spec.attempts(),
                spec.notBefore(), spec.effectivePriority(), spec.requires());
    }

    /** A task a worker holds: {@code assigned}, or {@code running} since {@code startedAt}; {@code spec} if readable. */
    static TaskView held(String id, TaskState state, String worker, TaskSpec spec, Instant startedAt) {
        if (spec == null) {
            return new TaskView(id, state, null, null, worker, null, null, startedAt, null, null, null, null, null,
                    null, null, null, null, null);
        }
        return new TaskView(id, state, spec.command(), spec.timeoutSeconds(), worker, spec.attempt(),
                spec.submittedAt(), startedAt, null, null, null, null, null, spec.submittedBy(), spec.attempts(),
                spec.notBefore(), spec.effectivePriority(), spec.requires());
    }

    /** This task without its command, output and history, the parts of unbounded size: what is kept of many. */
    TaskView brief() {
        return new TaskView(id, state, null, timeoutSeconds, worker, attempt, submittedAt, startedAt, finishedAt,
                exitCode, null, outputTruncated, message, submittedBy, null, notBefore, priority, requires);
    }

    /** The same task, with a note on what it waits for. */
    TaskView withNote(String note) {
        return new TaskView(id, state, command, timeoutSeconds, worker, attempt, submittedAt, startedAt, finishedAt,
                exitCode, output, outputTruncated, note, submittedBy, attempts, notBefore, priority, requires);
    }

    /** A task known only by its id and a note on why nothing more is known. */
    static TaskView withMessage(String id, TaskState state, String message) {
        return new TaskView(id, state, null, null, null, null, null, null, null, null, null, null, message, null,
                null, null, null, null);
    }
}
