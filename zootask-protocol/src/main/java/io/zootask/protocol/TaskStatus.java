package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The final result of a task, stored in {@code /status/<id>}.
 *
 * @param state           a terminal state: done, failed or timed_out
 * @param command         what ran (copied from the task, which is gone once the status exists)
 * @param exitCode        the process's exit code, if it ran
 * @param output          the tail of stdout and stderr, bounded by the worker
 * @param outputTruncated whether earlier output was dropped to respect that bound
 * @param worker          the worker that wrote it (or the master, for tasks it failed itself)
 * @param attempt         which execution this was
 * @param submittedAt     when the gateway accepted the task
 * @param startedAt       when the process started
 * @param finishedAt      when the status was written
 * @param submission      the task's submission token, copied from it
 * @param message         why, when it is not a plain exit: "not allowed", "timed out after 5s", "worker lost"...
 * @param submittedBy     the id of the API key that submitted the task, copied from it
 * @param attempts        every execution, oldest first, the one this status reports included
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskStatus(TaskState state, List<String> command, Integer exitCode, String output,
                         Boolean outputTruncated, String worker, Integer attempt, Instant submittedAt,
                         Instant startedAt, Instant finishedAt, String message, String submission,
                         String submittedBy,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Attempt> attempts) {

    public TaskStatus {
        Objects.requireNonNull(state, "state");
        if (!state.isTerminal()) {
            throw new IllegalArgumentException("a status must be terminal, not " + state.wireName());
        }
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** Without the history: what code written before {@code attempts} existed constructs. */
    public TaskStatus(TaskState state, List<String> command, Integer exitCode, String output,
                      Boolean outputTruncated, String worker, Integer attempt, Instant submittedAt,
                      Instant startedAt, Instant finishedAt, String message, String submission,
                      String submittedBy) {
        this(state, command, exitCode, output, outputTruncated, worker, attempt, submittedAt, startedAt, finishedAt,
                message, submission, submittedBy, null);
    }

    /** The same status, carrying the task's whole history: its earlier executions and this one. */
    public TaskStatus withHistory(TaskSpec task) {
        if (task == null) {
            return this;
        }
        return new TaskStatus(state, command, exitCode, output, outputTruncated, worker, attempt, submittedAt,
                startedAt, finishedAt, message, submission, submittedBy, task.historyWith(Attempt.of(this)));
    }

    /** A task taken back before it ran, or while it ran. */
    public static TaskStatus cancelled(TaskSpec task, String by, Instant at, Instant startedAt) {
        TaskStatus status = new TaskStatus(TaskState.CANCELLED, task == null ? null : task.command(), null, null,
                null, by, task == null ? null : task.attempt(), task == null ? null : task.submittedAt(), startedAt,
                at, "cancelled", task == null ? null : task.submission(), task == null ? null : task.submittedBy());
        return status.withHistory(task);
    }

    /** Without a submitter: what code written before {@code submittedBy} existed constructs. */
    public TaskStatus(TaskState state, List<String> command, Integer exitCode, String output,
                      Boolean outputTruncated, String worker, Integer attempt, Instant submittedAt,
                      Instant startedAt, Instant finishedAt, String message, String submission) {
        this(state, command, exitCode, output, outputTruncated, worker, attempt, submittedAt, startedAt, finishedAt,
                message, submission, (String) null);
    }

    /** A status that did not come from running the process: refused, undecodable, lost. */
    public static TaskStatus failure(TaskSpec task, String worker, Instant at, String message) {
        return new TaskStatus(TaskState.FAILED, task == null ? null : task.command(), null, null, null, worker,
                task == null ? null : task.attempt(), task == null ? null : task.submittedAt(), null, at, message,
                task == null ? null : task.submission(), task == null ? null : task.submittedBy()).withHistory(task);
    }
}
