package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** A task's lifecycle as a client sees it. Only the terminal states are ever stored (in {@code /status/<id>}). */
public enum TaskState {
    QUEUED,
    ASSIGNED,
    RUNNING,
    DONE,
    FAILED,
    TIMED_OUT,
    /** taken back by a user ({@code DELETE /tasks/{id}} or {@code /cancel/<id>}): never runs again */
    CANCELLED;

    public boolean isTerminal() {
        return this == DONE || this == FAILED || this == TIMED_OUT || this == CANCELLED;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TaskState fromWire(String value) {
        return parse(value).orElseThrow(() -> new IllegalArgumentException("unknown task state: " + value));
    }

    public static Optional<TaskState> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (TaskState state : values()) {
            if (state.name().equals(normalized)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
