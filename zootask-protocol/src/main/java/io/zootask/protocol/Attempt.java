package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One execution of a task, as its history keeps it: the task's id never changes across attempts.
 *
 * @param attempt    which execution (1 for the first)
 * @param worker     where it ran
 * @param state      how it ended: {@code done}, {@code failed} (also when its worker was lost), {@code timed_out},
 *                   {@code cancelled}
 * @param exitCode   the process's exit code, if it exited
 * @param startedAt  when it started, if known
 * @param finishedAt when it ended (or was found lost)
 * @param message    why, when it is not a plain exit: "worker lost", "timed out after 5s"...
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attempt(int attempt, String worker, TaskState state, Integer exitCode, Instant startedAt,
                     Instant finishedAt, String message) {

    /** The execution a status reports, as the history's entry. */
    public static Attempt of(TaskStatus status) {
        return new Attempt(status.attempt() == null ? 1 : status.attempt(), status.worker(), status.state(),
                status.exitCode(), status.startedAt(), status.finishedAt(), status.message());
    }
}
