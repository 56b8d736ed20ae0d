package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task as stored in {@code /tasks/<id>} and copied into {@code /assign/<worker>/<id>}.
 *
 * @param command        the executable and its arguments; run without a shell
 * @param timeoutSeconds how long it may run; {@code null} means the worker's default
 * @param attempt        1 for the first execution; raised each time the task goes back to the queue
 * @param maxAttempts    the older spelling of {@code retry.maxAttempts}, still accepted; {@code retry} wins
 * @param submittedAt    when the gateway accepted it; {@code null} for tasks created by hand
 * @param submission     a unique token of the accepting request: how the gateway finds its task again after a
 *                       lost connection left the outcome of its create unknown; {@code null} for tasks made by hand
 * @param submittedBy    the id of the gateway API key that submitted it (never the key itself), so that a key that may
 *                       only read its own tasks finds them; {@code null} when the gateway runs without keys, or by hand
 * @param retry          when a failed execution runs again; {@code null}: see {@link RetryPolicy#DEFAULT}
 * @param notBefore      no execution starts earlier (a delayed task, or the backoff before a retry)
 * @param priority       0 to 9, higher first; {@code null} means {@value #DEFAULT_PRIORITY}
 * @param requires       labels a worker must carry to run it ({@code {"pool":"gpu"}}); empty: any worker
 * @param attempts       the executions so far, oldest first (not the one under way)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskSpec(List<String> command, Integer timeoutSeconds, int attempt, Integer maxAttempts,
                       Instant submittedAt, String submission, String submittedBy, RetryPolicy retry,
                       Instant notBefore, Integer priority,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> requires,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Attempt> attempts) {

    public static final int DEFAULT_PRIORITY = 5;
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 9;

    public TaskSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        if (attempt < 1) {
            attempt = 1;
        }
        requires = requires == null ? Map.of() : Map.copyOf(requires);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** Without the lifecycle fields: what code written before retries, delays, priorities and routing constructs. */
    public TaskSpec(List<String> command, Integer timeoutSeconds, int attempt, Integer maxAttempts,
                    Instant submittedAt, String submission, String submittedBy) {
        this(command, timeoutSeconds, attempt, maxAttempts, submittedAt, submission, submittedBy, null, null, null,
                null, null);
    }

    /** Without a submitter: what code written before {@code submittedBy} existed constructs. */
    public TaskSpec(List<String> command, Integer timeoutSeconds, int attempt, Integer maxAttempts,
                    Instant submittedAt, String submission) {
        this(command, timeoutSeconds, attempt, maxAttempts, submittedAt, submission, null);
    }

    public static TaskSpec of(List<String> command, Integer timeoutSeconds, Instant submittedAt) {
        return new TaskSpec(command, timeoutSeconds, 1, null, submittedAt, null);
    }

    /** 0 to 9, higher first. */
    @JsonIgnore
    public int effectivePriority() {
        return priority == null ? DEFAULT_PRIORITY : Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, priority));
    }

    /** The policy in force: {@code retry}, else the older top-level {@code maxAttempts}, else the default. */
    @JsonIgnore
    public RetryPolicy effectiveRetry() {
        if (retry != null) {
            return retry.maxAttempts() == null && maxAttempts != null
                    ? new RetryPolicy(maxAttempts, retry.initialIntervalSeconds(), retry.backoffCoefficient(),
                            retry.maximumIntervalSeconds())
                    : retry;
        }
        return maxAttempts == null ? RetryPolicy.DEFAULT : new RetryPolicy(maxAttempts, null, null, null);
    }

    /**
     * Whether the execution that just ended as {@code how} runs again. A task that asked for no policy runs again
     * only after losing its worker; {@code cancelled} and {@code done} never do.
     */
    public boolean runsAgainAfter(TaskState how, boolean workerLost) {
        if (how == TaskState.DONE || how == TaskState.CANCELLED) {
            return false;
        }
        return (askedForRetries() || workerLost) && attempt < effectiveRetry().effectiveMaxAttempts();
    }

    /**
     * The task as it goes back to the queue after {@code ended}: the next attempt, the history one longer, and no
     * start before the policy's pause is over. A task that asked for no policy pauses not at all: only a lost worker
     * sends it back, and failover should take the session timeout, not that plus a backoff it never asked for.
     */
    public TaskSpec nextAttempt(Attempt ended) {
        List<Attempt> history = new ArrayList<>(attempts);
        history.add(ended);
        Instant endedAt = ended.finishedAt();
        Instant earliest = endedAt == null || !askedForRetries() ? notBefore
                : endedAt.plus(effectiveRetry().pauseAfter(attempt));
        return new TaskSpec(command, timeoutSeconds, attempt + 1, maxAttempts, submittedAt, submission, submittedBy,
                retry, earliest, priority, requires, history);
    }

    /** Whether the task asked for a retry policy at all ({@code retry}, or the older top-level {@code maxAttempts}). */
    private boolean askedForRetries() {
        return retry != null || maxAttempts != null;
    }

    /** The same task with another history; for a status that must carry every execution. */
    public List<Attempt> historyWith(Attempt last) {
        List<Attempt> history = new ArrayList<>(attempts);
        history.add(last);
        return List.copyOf(history);
    }
}
