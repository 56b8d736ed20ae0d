package io.zootask.gateway.errors;

/** No task with this id is known: never submitted, or its status was pruned. Answers 404. */
public class TaskNotFoundException extends RuntimeException {

    private final String taskId;

    public TaskNotFoundException(String taskId) {
        super("no task with id '" + taskId + "'");
        this.taskId = taskId;
    }

    public String taskId() {
        return taskId;
    }
}
