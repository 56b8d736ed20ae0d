package io.zootask.worker.execution;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The whole environment a task's process gets; nothing else of the worker's environment reaches it (credentials
 * such as {@code ZOOTASK_ZOOKEEPER_AUTH_PASSWORD} in particular):
 * <ul>
 * <li>the variables named in {@code pass-through}, with the worker's values, if the worker has them;
 * <li>the fixed values of {@code set};
 * <li>{@code PATH}: the executable directories; {@code HOME} and {@code TMPDIR}: the task's working directory;
 * {@code ZOOTASK_EXECUTION}: a random id of this execution (the worker finds processes the task left behind by it).
 * These four are the worker's own and cannot be configured.
 * </ul>
 */
public final class TaskEnvironment {

    /** A random id per execution, inherited by the task's descendants. */
    public static final String EXECUTION_VARIABLE = "ZOOTASK_EXECUTION";

    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "TMPDIR", EXECUTION_VARIABLE);

    private final String path;
    private final List<String> passThrough;
    private final Map<String, String> fixed;
    private final UnaryOperator<String> host;

    public TaskEnvironment(List<Path> executableDirectories, List<String> passThrough, Map<String, String> fixed) {
        this(executableDirectories, passThrough, fixed, System::getenv);
    }

    /**
     * @param host the worker's own environment ({@code System::getenv}), read at each start
     * @throws IllegalArgumentException for a name that cannot be a variable or is one of the worker's own
     */
    TaskEnvironment(List<Path> executableDirectories, List<String> passThrough, Map<String, String> fixed,
                    UnaryOperator<String> host) {
        this.path = executableDirectories.stream().map(Path::toString).collect(Collectors.joining(":"));
        this.passThrough = List.copyOf(passThrough == null ? List.of() : passThrough);
        this.fixed = Map.copyOf(fixed == null ? Map.of() : fixed);
        this.host = host;
        this.passThrough.forEach(name -> check(name, "zootask.worker.environment.pass-through"));
        this.fixed.forEach((name, value) -> {
            check(name, "zootask.worker.environment.set");
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("zootask.worker.environment.set: the value of " + name
                        + " contains a NUL character");
            }
        });
    }

    public List<String> passThrough() {
        return passThrough;
    }

    public Set<String> fixedNames() {
        return fixed.keySet();
    }

    /** Replaces everything in {@code environment} (a {@link ProcessBuilder}'s) with the task's environment. */
    void applyTo(Map<String, String> environment, Path workDirectory, String executionId) {
        environment.clear();
        environment.putAll(forTask(workDirectory, executionId));
    }

    Map<String, String> forTask(Path workDirectory, String executionId) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String name : passThrough) {
            String value = host.apply(name);
            if (value != null && value.indexOf('\0') < 0) {
                environment.put(name, value);
            }
        }
        environment.putAll(fixed);
        environment.put("PATH", path);
        environment.put("HOME", workDirectory.toString());
        environment.put("TMPDIR", workDirectory.toString());
        environment.put(EXECUTION_VARIABLE, executionId);
        return environment;
    }

    private static void check(String name, String property) {
        if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(property + ": '" + name + "' cannot be the name of an environment"
                    + " variable");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException(property + ": " + name + " is set by the worker itself (PATH: the"
                    + " executable directories; HOME and TMPDIR: the task's working directory; "
                    + EXECUTION_VARIABLE + ": the execution's id)");
        }
    }
}
