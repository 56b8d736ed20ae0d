package io.zootask.worker.execution;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Which executables a task may run on this worker. Decides only; refusing is the caller's job. */
public final class ExecutablePolicy {

    private final Set<String> allowed;
    private final boolean allowAny;

    public ExecutablePolicy(List<String> allowed, boolean allowAny) {
        this.allowed = new TreeSet<>(allowed);
        this.allowAny = allowAny;
    }

    /** Empty when the command may run, otherwise the reason it may not, fit for a {@code failed} status. */
    public Optional<String> refusal(List<String> command) {
        String executable = command.get(0);
        if (allowAny || Builtins.isBuiltin(command)) {
            return Optional.empty();
        }
        if (executable.contains("/") || executable.contains("\\")) {
            return Optional.of("executable '" + executable + "' is not allowed: give a bare name from the worker's"
                    + " allowlist " + allowed + ", not a path");
        }
        if (!allowed.contains(executable)) {
            return Optional.of("executable '" + executable + "' is not allowed on this worker (allowed: "
                    + String.join(", ", allowed) + "; set zootask.worker.allowed-executables to change it)");
        }
        return Optional.empty();
    }
}
