package io.zootask.worker.execution;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the worker starts a task's process, and nothing else: the executable by absolute path, no shell, stdin from
 * {@code /dev/null}, stdout and stderr merged into one pipe, exactly the given environment. Public so that the
 * benchmark measures the launch itself ({@code process_spawn_ceiling_per_s}) with the very same invocation.
 */
public final class ProcessLauncher {

    /**
     * On Linux, util-linux's setpriv sets a parent-death signal and then execs the command itself (no shell, same
     * pid): if the worker JVM is killed with -9, its task processes die with it instead of running on unowned while
     * the master hands the task to another worker. Referenced by absolute path: nothing here is looked up on a PATH.
     */
    private static final List<String> PREFIX = prefix();

    private static final File DEV_NULL = new File("/dev/null");

    /** The JDK's switch for how it starts processes, read once, when the JVM starts its first process. */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    static {
        chooseLaunchMechanism();
    }

    private ProcessLauncher() {
    }

    /**
     * Has the JVM start processes with vfork and exec, unless told otherwise ({@code -Djdk.lang.Process.launchMechanism=...}).
     * JDK 17's default on Linux, posix_spawn, execs a helper (jspawnhelper) that then execs the command: with
     * setpriv in front, a task of {@code true} cost three execs where two do. Honoured only if called before the
     * JVM's first process start (the JDK reads it once): the worker and the benchmark call it first thing in main,
     * and this class does when it loads.
     */
    public static void chooseLaunchMechanism() {
        if (System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    /** Starts {@code executable} with {@code arguments} in {@code directory}, with only {@code environment}. */
    public static Process start(Path executable, List<String> arguments, Path directory,
                                Map<String, String> environment) throws IOException {
        List<String> argv = new ArrayList<>(PREFIX.size() + 1 + arguments.size());
        argv.addAll(PREFIX);
        argv.add(executable.toString());
        argv.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment);
        return builder.start();
    }

    private static List<String> prefix() {
        for (String setpriv : List.of("/usr/bin/setpriv", "/bin/setpriv")) {
            if (Files.isExecutable(Path.of(setpriv))) {
                return List.of(setpriv, "--pdeathsig", "KILL", "--");
            }
        }
        return List.of();
    }
}
