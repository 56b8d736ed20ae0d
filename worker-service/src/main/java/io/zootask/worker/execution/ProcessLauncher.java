package io.zootask.worker.execution;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * How the worker starts a task's process, and nothing else: the executable by absolute path, no shell, stdin from
 * {@code /dev/null}, stdout and stderr merged into one pipe, exactly the given environment, nothing in front of it
 * (a worker killed with -9 takes its tasks with it through its {@link TaskGuardian}, not through a wrapper per
 * task). Public so that the benchmark measures the launch itself ({@code process_spawn_ceiling_per_s}) with the
 * very same invocation.
 */
public final class ProcessLauncher {

    private static final File DEV_NULL = new File("/dev/null");

    /**
     * At most one start per core at a time (two at least). Measured on 2 cores, {@code true} started from 256 threads
     * at once ran at 317 a second, from 256 threads through two permits at 2 137: hundreds of forks and execs of one
     * JVM at the same moment slow each other down far more than waiting in line does.
     */
    private static final Semaphore STARTS = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));

    /** The JDK's switch for how it starts processes, read once, when the JVM starts its first process. */
    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    static {
        chooseLaunchMechanism();
    }

    private ProcessLauncher() {
    }

    /**
     * Has the JVM start processes with vfork and exec, unless told otherwise ({@code -Djdk.lang.Process.launchMechanism=...}).
     * JDK 17's default on Linux, posix_spawn, execs a helper (jspawnhelper) that then execs the command: a task of
     * {@code true} would cost two execs where one does. Honoured only if called before the JVM's first process start
     * (the JDK reads it once): the worker and the benchmark call it first thing in main, and this class does when it
     * loads.
     */
    public static void chooseLaunchMechanism() {
        if (System.getProperty(LAUNCH_MECHANISM) == null) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    /**
     * Waits for a turn to start a process: at most one start per core (two at least) is under way at a time. Close it
     * once the process has started.
     */
    public static Turn awaitTurn() throws InterruptedException {
        STARTS.acquire();
        return new Turn();
    }

    /** A turn to start a process, from {@link #awaitTurn()}. */
    public static final class Turn implements AutoCloseable {

        private boolean closed;

        private Turn() {
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                STARTS.release();
            }
        }
    }

    /**
     * Starts {@code executable} with {@code arguments} in {@code directory}, with only {@code environment}, in the
     * caller's {@code turn}.
     */
    public static Process start(Turn turn, Path executable, List<String> arguments, Path directory,
                                Map<String, String> environment) throws IOException {
        if (turn.closed) {
            throw new IllegalStateException("a process is started in a turn of its own, not after it");
        }
        List<String> argv = new ArrayList<>(1 + arguments.size());
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
}
