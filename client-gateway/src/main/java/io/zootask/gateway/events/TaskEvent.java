package io.zootask.gateway.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.zootask.gateway.tasks.TaskView;
import io.zootask.protocol.Attempt;
import io.zootask.protocol.RunningMarker;
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

    static TaskEvent assigned(String id, String worker, TaskSpec spec, Instant at) {
        return new TaskEvent(id, TaskState.ASSIGNED, worker, spec.attempt(), spec.submittedAt(), null, null, null,
                null, spec.effectivePriority(), spec.notBefore(), spec.command(), spec.submittedBy(), at);
    }

    /** Assigned, told by the path alone (the assignment was gone before it could be read) and what was known. */
    static TaskEvent assigned(String id, String worker, TaskEvent known, Instant at) {
        return new TaskEvent(id, TaskState.ASSIGNED, worker, known == null ? null : known.attempt(),
                known == null ? null : known.submittedAt(), null, null, null, null,
                known == null ? null : known.priority(), null, known == null ? null : known.command(),
                known == null ? null : known.submittedBy(), at);
    }

    /**
     * Running: {@code marker} says where and since when, if it could be read (a fast task's is gone within a
     * millisecond); {@code known} is what the task's earlier events told.
     */
    static TaskEvent running(String id, RunningMarker marker, TaskEvent known, Instant at) {
        String worker = marker != null ? marker.worker() : known == null ? null : known.worker();
        Integer attempt = marker != null ? Integer.valueOf(marker.attempt()) : known == null ? null : known.attempt();
        return new TaskEvent(id, TaskState.RUNNING, worker, attempt,
                known == null ? null : known.submittedAt(), marker == null ? null : marker.startedAt(), null, null,
                null, known == null ? null : known.priority(), null, known == null ? null : known.command(),
                known == null ? null : known.submittedBy(), at);
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
