package io.zootask.worker.execution;

import io.zootask.protocol.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command as an operating-system process: no shell, arguments as an array, stdout and stderr merged into a
 * bounded tail, the whole process tree killed when the timeout expires or the worker gives up its work.
 */
public class ProcessRunner {

    private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

    /**
     * On Linux, util-linux's setpriv sets a parent-death signal and then execs the command itself (no shell, same
     * pid): if the worker JVM is killed with -9, its task processes die with it instead of running on unowned while
     * the master hands the task to another worker.
     */
    private static final List<String> LAUNCH_PREFIX = Files.isExecutable(Path.of("/usr/bin/setpriv"))
            ? List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--") : List.of();

    private final int maxOutputBytes;
    private final Clock clock;
    private final Set<Process> live = ConcurrentHashMap.newKeySet();

    public ProcessRunner(int maxOutputBytes, Clock clock) {
        this.maxOutputBytes = maxOutputBytes;
        this.clock = clock;
    }

    public ExecutionResult run(List<String> command, Duration timeout) throws InterruptedException {
        return run(command, timeout, timeout, () -> true);
    }

    /**
     * Runs {@code command}; if it is still running after {@code checkpointAfter}, asks {@code stillOurs} once
     * whether to go on (the caller records that the task is running) and kills the process tree if not.
     */
    public ExecutionResult run(List<String> command, Duration timeout, Duration checkpointAfter,
                               BooleanSupplier stillOurs) throws InterruptedException {
        Instant started = clock.instant();
        Optional<Path> executable = resolve(command.get(0));
        if (executable.isEmpty()) {
            return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                    "cannot start '" + command.get(0) + "': no such executable on the worker's PATH");
        }
        List<String> argv = new ArrayList<>(LAUNCH_PREFIX);
        argv.add(executable.get().toString());
        argv.addAll(command.subList(1, command.size()));
        Process process;
        try {
            process = new ProcessBuilder(argv)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                    "cannot start '" + command.get(0) + "': " + e.getMessage());
        }
        live.add(process);
        TailBuffer tail = new TailBuffer(maxOutputBytes);
        Thread pump = new Thread(() -> pump(process.getInputStream(), tail), "output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean finished = checkpointAfter.compareTo(timeout) < 0
                    && process.waitFor(checkpointAfter.toNanos(), TimeUnit.NANOSECONDS);
            if (!finished && checkpointAfter.compareTo(timeout) < 0 && !stillOurs.getAsBoolean()) {
                killTree(process);
                process.waitFor(5, TimeUnit.SECONDS);
                pump.join(1000);
                return new ExecutionResult(TaskState.FAILED, null, tail.text(), tail.truncated(), started,
                        clock.instant(), "the task was taken from this worker; process tree killed");
            }
            if (!finished) {
                finished = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            if (!finished) {
                killTree(process);
                process.waitFor(5, TimeUnit.SECONDS);
                pump.join(1000);
                return new ExecutionResult(TaskState.TIMED_OUT, null, tail.text(), tail.truncated(), started,
                        clock.instant(), "timed out after " + timeout.toSeconds() + "s; process tree killed");
            }
            pump.join(5000);
            int exit = process.exitValue();
            return new ExecutionResult(exit == 0 ? TaskState.DONE : TaskState.FAILED, exit, tail.text(),
                    tail.truncated(), started, clock.instant(), exit == 0 ? null : "exited with code " + exit);
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        } finally {
            live.remove(process);
        }
    }

    /** Kills every process this runner started, children first. Used when the worker's session is lost. */
    public int killAll() {
        int killed = 0;
        for (Process process : List.copyOf(live)) {
            killTree(process);
            killed++;
        }
        return killed;
    }

    public int running() {
        return live.size();
    }

    /** The executable as an absolute path, looked up on PATH when given as a bare name. */
    static Optional<Path> resolve(String executable) {
        if (executable.contains("/")) {
            Path path = Path.of(executable);
            return Files.isExecutable(path) ? Optional.of(path.toAbsolutePath()) : Optional.empty();
        }
        String pathVariable = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
        for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static void killTree(Process process) {
        // Collect the descendants before the parent dies, or they are re-parented and out of reach.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static void pump(InputStream in, TailBuffer tail) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                tail.write(buffer, 0, n);
            }
        } catch (IOException e) {
            log.debug("output stream closed: {}", e.getMessage());
        }
    }
}
