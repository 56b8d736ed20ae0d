package io.zootask.gateway.tasks;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.protocol.TaskState;
import java.time.Instant;
import java.util.List;

/** A task as the API shows it, assembled from whichever znode holds it now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(String id, TaskState state, List<String> command, Integer timeoutSeconds, String worker,
                       Integer attempt, Instant submittedAt, Instant startedAt, Instant finishedAt, Integer exitCode,
                       String output, Boolean outputTruncated, String message) {

    static TaskView queued(String id, List<String> command, Integer timeoutSeconds, Integer attempt,
                           Instant submittedAt) {
        return new TaskView(id, TaskState.QUEUED, command, timeoutSeconds, null, attempt, submittedAt, null, null,
                null, null, null, null);
    }
}
