package io.zootask.gateway.tasks;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import java.time.Instant;
import java.util.List;

/**
 * A task as the API shows it, assembled from whichever znode holds it now.
 *
 * @param submittedBy the id of the API key that submitted it; absent when the gateway runs without keys
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskView(String id, TaskState state, List<String> command, Integer timeoutSeconds, String worker,
                       Integer attempt, Instant submittedAt, Instant startedAt, Instant finishedAt, Integer exitCode,
                       String output, Boolean outputTruncated, String message, String submittedBy) {

    static TaskView queued(String id, TaskSpec spec) {
        return new TaskView(id, TaskState.QUEUED, spec.command(), spec.timeoutSeconds(), null, spec.attempt(),
                spec.submittedAt(), null, null, null, null, null, null, spec.submittedBy());
    }

    /** This task without its command and output, the parts of unbounded size: what is kept of many in memory. */
    TaskView brief() {
        return new TaskView(id, state, null, timeoutSeconds, worker, attempt, submittedAt, startedAt, finishedAt,
                exitCode, null, outputTruncated, message, submittedBy);
    }

    /** A task known only by its id and a note on why nothing more is known. */
    static TaskView withMessage(String id, TaskState state, String message) {
        return new TaskView(id, state, null, null, null, null, null, null, null, null, null, null, message, null);
    }
}
