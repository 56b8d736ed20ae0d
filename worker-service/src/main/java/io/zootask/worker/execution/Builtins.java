package io.zootask.worker.execution;

import io.zootask.protocol.TaskState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Commands the worker carries out itself, without starting a process. There is one: {@code zootask:noop}, which
 * succeeds at once with no output. It exists to measure the coordination (what zootask itself costs per task) apart
 * from the operating system's fork and exec, which cost more than everything else together for a task like
 * {@code true}. It is always allowed, and its name is never looked up as an executable: the worker carries it out
 * itself, before the {@link ExecutablePolicy} resolves anything.
 */
public final class Builtins {

    public static final String NOOP = "zootask:noop";

    private Builtins() {
    }

    public static boolean isBuiltin(List<String> command) {
        return !command.isEmpty() && NOOP.equals(command.get(0));
    }

    public static ExecutionResult run(List<String> command, Clock clock) {
        Instant now = clock.instant();
        return new ExecutionResult(TaskState.DONE, 0, "", false, now, now, null);
    }
}
