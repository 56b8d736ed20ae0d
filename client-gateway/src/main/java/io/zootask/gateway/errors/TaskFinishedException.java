package io.zootask.gateway.errors;

/** A task that already finished otherwise cannot be cancelled any more. Answers 409. */
public class TaskFinishedException extends RuntimeException {

    public TaskFinishedException(String taskId, String state) {
        super("task '" + taskId + "' already finished as " + state + "; only a task that has not finished can be"
                + " cancelled");
    }
}
