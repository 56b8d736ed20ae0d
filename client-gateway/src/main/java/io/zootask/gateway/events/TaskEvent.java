package io.zootask.gateway.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.gateway.tasks.TaskView;
import io.zootask.protocol.Attempt;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import java.time.Instant;
import java.util.List;

/**
 * One change of one task, as {@code event: task} carries it: small (no output; {@code GET /tasks/{id}} has that).
 *
 * @param at when ZooKeeper recorded the change (the znode's modification time), the moment the event is about
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskEvent(String id, TaskState state, String worker, Integer attempt, Instant submittedAt, Instant startedAt,
                 Instant finishedAt, Integer exitCode, String message, Integer priority, Instant notBefore,
                 List<String> command, String submittedBy, Instant at) {

    /** The task is in {@code /tasks}: new, or back for another attempt (then {@code message} says why). */
    static TaskEvent queued(String id, TaskSpec spec, Instant at) {
        String message = null;
        if (!spec.attempts().isEmpty()) {
            Attempt last = spec.attempts().get(spec.attempts().size() - 1);
            message = "attempt " + last.attempt() + " " + last.state().wireName()
                    + (last.message() != null ? ": " + last.message()
                    : last.exitCode() != null ? " with exit code " + last.exitCode() : "")
                    + "; runs again";
        }
        return new TaskEvent(id, TaskState.QUEUED, null, spec.attempt(), spec.submittedAt(), null, null, null,
                message, spec.effectivePriority(), spec.notBefore(), spec.command(), spec.submittedBy(), at);
    }

    /**
     * Assigned to {@code worker}, or running there: told by the znode's path alone (the feed reads neither an
     * assignment, which is the task's data again, nor a running marker) and by what the task's earlier event,
     * {@code known}, told.
     */
    static TaskEvent movedOn(String id, TaskState state, String worker, TaskEvent known, Instant at) {
        if (known == null) {
            return new TaskEvent(id, state, worker, null, null, null, null, null, null, null, null, null, null, at);
        }
        return new TaskEvent(id, state, worker, known.attempt(), known.submittedAt(), null, null, null, null,
                known.priority(), null, known.command(), known.submittedBy(), at);
    }

    static TaskEvent finished(String id, TaskStatus status, Instant at) {
        return new TaskEvent(id, status.state(), status.worker(), status.attempt(), status.submittedAt(),
                status.startedAt(), status.finishedAt(), status.exitCode(), status.message(), null, null,
                status.command(), status.submittedBy(), at);
    }

    /**
     * The running state a task that ended went through, from its end: workers mark only tasks that run longer than a
     * moment, and a status tells when the process started.
     */
    static TaskEvent ranBefore(TaskEvent end) {
        return new TaskEvent(end.id(), TaskState.RUNNING, end.worker(), end.attempt(), end.submittedAt(),
                end.startedAt(), null, null, null, end.priority(), null, end.command(), end.submittedBy(),
                end.startedAt());
    }

    /** The task as the API reads it now: the first event of {@code GET /tasks/{id}/events}. */
    static TaskEvent of(TaskView view, Instant at) {
        return new TaskEvent(view.id(), view.state(), view.worker(), view.attempt(), view.submittedAt(),
                view.startedAt(), view.finishedAt(), view.exitCode(), view.message(), view.priority(),
                view.notBefore(), view.command(), view.submittedBy(), at);
    }

    /**
     * Where this event stands in its task's life: a later attempt is later, and within one attempt queued, assigned,
     * running, finished. One task's stream never goes back.
     */
    @JsonIgnore
    int progress() {
        int rank = switch (state) {
            case QUEUED -> 0;
            case ASSIGNED -> 1;
            case RUNNING -> 2;
            default -> 3;
        };
        return (attempt == null ? 1 : attempt) * 4 + rank;
    }
}
