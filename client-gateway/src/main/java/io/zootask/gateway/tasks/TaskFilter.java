package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.InvalidRequestException;
import io.zootask.protocol.TaskState;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The filters of {@code GET /tasks}: {@code state}, {@code priority=<0..9>}, {@code requires=<name>:<value>}; each
 * optional ({@code null}), all of them must hold.
 *
 * <p>Priority and requirements are kept in a task's data until it finishes, not in its status: a finished task
 * matches neither, and is then skipped without being read.
 */
record TaskFilter(TaskState state, Integer priority, Map.Entry<String, String> requires) {

    private static final String STATES = Arrays.stream(TaskState.values()).map(TaskState::wireName)
            .collect(Collectors.joining(", "));

    static TaskFilter of(String state, String priority, String requires) {
        return new TaskFilter(state(state), priority(priority), requires(requires));
    }

    private static TaskState state(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return TaskState.parse(value).orElseThrow(() -> new InvalidRequestException("unknown state: state must be"
                + " one of " + STATES));
    }

    private static Integer priority(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.strip().matches("[0-9]")) {
            throw new InvalidRequestException("priority must be a whole number from 0 to 9");
        }
        return Integer.parseInt(value.strip());
    }

    private static Map.Entry<String, String> requires(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new InvalidRequestException("requires must be a label as name:value, such as pool:gpu");
        }
        String name = value.substring(0, colon);
        String labelValue = value.substring(colon + 1);
        Labels.nameProblem(name).ifPresent(problem -> {
            throw new InvalidRequestException("requires must be name:value, such as pool:gpu; " + problem);
        });
        Labels.valueProblem("requires (the value after ':')", labelValue).ifPresent(problem -> {
            throw new InvalidRequestException(problem);
        });
        return Map.entry(name, labelValue);
    }

    /** Whether a filter needs what only a task's data says (not its status). */
    boolean needsTaskData() {
        return priority != null || requires != null;
    }

    /** From the child lists alone (queued, assigned, running, or only "finished"): could the task match? */
    boolean couldMatch(TaskState coarse) {
        if (coarse.isTerminal() && needsTaskData()) {
            return false;
        }
        if (state == null) {
            return true;
        }
        return coarse.isTerminal() ? state.isTerminal() : coarse == state;
    }

    boolean matches(TaskView task) {
        return (state == null || task.state() == state)
                && (priority == null || priority.equals(task.priority()))
                && (requires == null || (task.requires() != null
                        && requires.getValue().equals(task.requires().get(requires.getKey()))));
    }
}
