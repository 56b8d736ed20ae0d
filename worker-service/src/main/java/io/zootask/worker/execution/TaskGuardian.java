package io.zootask.worker.execution;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a worker's task processes when the worker dies, however it dies ({@code kill -9} included): one small
 * process per worker, started with a pipe from the worker as its standard input. The kernel closes that pipe when the
 * worker's process ends, whatever ends it; the guardian then kills every process whose {@code ZOOTASK_EXECUTION}
 * starts with this worker's token, the tasks' own processes and whatever they left running, wherever it was
 * re-parented, and goes on until three rounds in a row find none.
 *
 * <p>It replaces a parent-death signal per task ({@code setpriv --pdeathsig KILL} in front of every command), which
 * cost one more dynamically linked exec per task (a third of the CPU a worker's {@code true} task costs the machine,
 * profiled) and reached only the task's own process, not its descendants. The guardian costs nothing per task:
 * tasks carry the token in the execution id they already carry for the worker's own leftover sweeps.
 *
 * <p>Task processes never hold the pipe open: the JDK closes every descriptor but the three standard ones in a child
 * before it execs (a command the JVM itself runs on a crash, {@code -XX:OnError}, is not the JDK's and keeps it:
 * the sweep then waits for that command). The guardian ignores {@code SIGINT}, {@code SIGTERM}, {@code SIGHUP} and
 * {@code SIGQUIT} (a Ctrl-C or a thread dump's Ctrl-\ to the worker's process group must not take it before the
 * worker), so it ends only when the pipe closes, right after its sweep. Should it die anyway, the worker starts
 * another with the same token. It needs to fork to sweep: a task that exhausts the user's processes
 * ({@code RLIMIT_NPROC}) defeats it, as it defeats most of the machine. Linux only (it reads {@code /proc});
 * elsewhere there is no guardian and the tokens are still there.
 */
public final class TaskGuardian implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskGuardian.class);

    /**
     * {@code $1}: the token. Waits for the end of its input (nothing is ever written to it), then sweeps. A process
     * in the middle of an exec reads as having no environment for a moment: the quiet rounds, 10 ms apart, see it
     * again; at most 200 rounds, should something fork faster than it is killed.
     */
    private static final String SCRIPT = """
            trap '' INT TERM HUP QUIT
            while read -r _; do :; done
            quiet=0; round=0
            while [ "$quiet" -lt 3 ] && [ "$round" -lt 200 ]; do
              round=$((round + 1)); found=0
              for file in $(printf '%s\\n' /proc/[0-9]*/environ \\
                  | xargs grep -lz -e "^ZOOTASK_EXECUTION=$1-" 2>/dev/null); do
                pid=${file#/proc/}
                kill -KILL "${pid%/environ}" 2>/dev/null && found=1
              done
              if [ "$found" = 1 ]; then quiet=0; else quiet=$((quiet + 1)); sleep 0.01; fi
            done
            """;
    /** What the script runs besides the shell's builtins, looked up on the guardian's own PATH. */
    private static final List<String> TOOLS = List.of("grep", "xargs", "sleep");
    private static final String PATH = "/usr/bin:/bin";
    private static final Path SHELL = Path.of("/bin/sh");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);

    private final String token;
    private final boolean supported;
    private final Object lock = new Object();
    private Process process;
    private long startedAt;
    private boolean closed;

    private TaskGuardian(String token, boolean supported) {
        this.token = token;
        this.supported = supported;
    }

    /** Starts the guardian of this worker's tasks (on Linux; elsewhere one that only hands out execution ids). */
    public static TaskGuardian start() {
        ProcessLauncher.chooseLaunchMechanism(); // before the JVM's first process start, which this may be
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        TaskGuardian guardian = new TaskGuardian(HexFormat.of().formatHex(bytes),
                ProcfsScan.available() && Files.isExecutable(SHELL) && TOOLS.stream().allMatch(TaskGuardian::onPath));
        guardian.launch();
        return guardian;
    }

    /**
     * A new execution's id, for its {@code ZOOTASK_EXECUTION}: this worker's token, then a random UUID. Hex digits and
     * dashes only, so the guardian's pattern matches it literally.
     */
    public String newExecutionId() {
        return token + "-" + UUID.randomUUID();
    }

    /** Whether a guardian process is watching over this worker's tasks right now. */
    public boolean guarding() {
        synchronized (lock) {
            return process != null && process.isAlive();
        }
    }

    /** The guardian process's pid, or -1 without one. */
    long pid() {
        synchronized (lock) {
            return process == null ? -1 : process.pid();
        }
    }

    /**
     * Closes the pipe: the guardian kills whatever still carries this worker's token and ends. Waits up to five
     * seconds for that, as a worker that stops should leave nothing behind.
     */
    @Override
    public void close() {
        Process ending;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ending = process;
            closePipe();
        }
        if (ending != null) {
            try {
                if (!ending.waitFor(5, TimeUnit.SECONDS)) {
                    log.warn("the task guardian (pid {}) is still sweeping after 5 s", ending.pid());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(PATH.split(":")).anyMatch(directory -> Files.isExecutable(Path.of(directory, tool)));
    }

    private void launch() {
        if (!supported) {
            log.info("no task guardian here (it needs /proc, /bin/sh and {} in {}): task processes of a worker"
                    + " killed with -9 are not killed with it", TOOLS, PATH);
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                ProcessBuilder builder = new ProcessBuilder(SHELL.toString(), "-c", SCRIPT, "zootask-task-guardian",
                        token)
                        .directory(Path.of("/").toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
                // its own environment, and grep's, must not match the pattern: nothing of the worker's
                builder.environment().clear();
                builder.environment().put("PATH", PATH);
                Process started = builder.start();
                process = started;
                startedAt = System.nanoTime();
                started.onExit().thenRun(() -> ended(started));
            } catch (IOException e) {
                log.error("cannot start the task guardian: task processes of a worker killed with -9 would not be"
                        + " killed with it: {}", e.toString());
            }
        }
    }

    private void ended(Process ended) {
        synchronized (lock) {
            if (closed || ended != process) {
                return;
            }
            log.warn("the task guardian (pid {}) ended with code {} while the worker runs: starting another",
                    ended.pid(), ended.exitValue());
            closePipe();
            if (System.nanoTime() - startedAt < RESTART_PAUSE.toNanos()) {
                // one that cannot run at all must not make the worker spin
                CompletableFuture.delayedExecutor(RESTART_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(this::launch);
                return;
            }
        }
        launch();
    }

    /** Its standard input: nothing is ever written to it, and closing it (again) is what ends the guardian. */
    private void closePipe() {
        if (process != null) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                log.debug("closing the guardian's pipe: {}", e.toString());
            }
        }
    }
}
