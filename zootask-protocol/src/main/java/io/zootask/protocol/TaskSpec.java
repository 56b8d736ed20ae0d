package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A task as stored in {@code /tasks/<id>} and copied into {@code /assign/<worker>/<id>}.
 *
 * @param command        the executable and its arguments; run without a shell
 * @param timeoutSeconds how long it may run; {@code null} means the worker's default
 * @param attempt        1 for the first execution; the master raises it each time it re-queues the task
 * @param maxAttempts    how many executions a lost worker may cost; {@code null} means the master's default
 * @param submittedAt    when the gateway accepted it; {@code null} for tasks created by hand
 * @param submission     a unique token of the accepting request: how the gateway finds its task again after a
 *                       lost connection left the outcome of its create unknown; {@code null} for tasks made by hand
 * @param submittedBy    the id of the gateway API key that submitted it (never the key itself), so that a key that may
 *                       only read its own tasks finds them; {@code null} when the gateway runs without keys, or by hand
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskSpec(List<String> command, Integer timeoutSeconds, int attempt, Integer maxAttempts,
                       Instant submittedAt, String submission, String submittedBy) {

    public TaskSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        if (attempt < 1) {
            attempt = 1;
        }
    }

    /** Without a submitter: what code written before {@code submittedBy} existed constructs. */
    public TaskSpec(List<String> command, Integer timeoutSeconds, int attempt, Integer maxAttempts,
                    Instant submittedAt, String submission) {
        this(command, timeoutSeconds, attempt, maxAttempts, submittedAt, submission, null);
    }

    public static TaskSpec of(List<String> command, Integer timeoutSeconds, Instant submittedAt) {
        return new TaskSpec(command, timeoutSeconds, 1, null, submittedAt, null);
    }

    public TaskSpec nextAttempt() {
        return new TaskSpec(command, timeoutSeconds, attempt + 1, maxAttempts, submittedAt, submission,
                submittedBy);
    }
}
