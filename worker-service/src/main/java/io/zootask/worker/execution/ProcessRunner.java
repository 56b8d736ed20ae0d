package io.zootask.worker.execution;

import io.zootask.protocol.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command as an operating-system process, locked down as far as a process of the worker's own user can be:
 * <ul>
 * <li>the executable is resolved by the {@link ExecutablePolicy} to an absolute path in the configured directories
 * (never through the worker's {@code PATH}) and started without a shell, the arguments as an array;
 * <li>the environment is the {@link TaskEnvironment} and nothing else of the worker's;
 * <li>it runs in an empty working directory of its own ({@link WorkDirectories}), given back when it ends, however
 * it ends (kept for a later task only if the task left it empty);
 * <li>stdout and stderr are merged into a bounded tail ({@link TailBuffer}): printing gigabytes costs the worker
 * {@code maxOutputBytes};
 * <li>when the timeout expires, the task is taken away or the worker gives up its work, the whole process tree is
 * killed. Processes out of the tree's reach (re-parented away from it when their parent exited, or still running
 * in the background when the task's own process ends) are found by the {@code ZOOTASK_EXECUTION} variable they
 * inherited and killed too (Linux); only a process that gives up that variable (exec with a new environment) and
 * detaches escapes, which only a container or cgroup around the worker can prevent;
 * <li>should the worker itself die, however it dies, its {@link TaskGuardian} kills them all, by the same variable.
 * </ul>
 */
public class ProcessRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

    /**
     * Threads that read the tasks' output, kept between tasks: a thread started for each process cost more than a
     * short command's output. One per running task at most; idle ones end after a minute.
     */
    private static final ExecutorService PUMPS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "task-output");
        thread.setDaemon(true);
        return thread;
    });

    private final ExecutablePolicy policy;
    private final TaskEnvironment environment;
    private final WorkDirectories workDirectories;
    private final int maxOutputBytes;
    private final Clock clock;
    private final TaskGuardian guardian;
    private final Map<Process, String> live = new ConcurrentHashMap<>();
    /**
     * Starting a process and killing them all exclude each other, so that no start slips past a kill; starts share
     * it (how many run at once is {@link ProcessLauncher}'s turns' business).
     */
    private final ReadWriteLock starting = new ReentrantReadWriteLock();

    /**
     * @param guardian hands out the execution ids, and kills what carries them should the worker die; its owner
     *                 closes it after this runner
     */
    public ProcessRunner(ExecutablePolicy policy, TaskEnvironment environment, WorkDirectories workDirectories,
                         int maxOutputBytes, Clock clock, TaskGuardian guardian) {
        this.policy = policy;
        this.guardian = guardian;
        this.environment = environment;
        this.workDirectories = workDirectories;
        this.maxOutputBytes = maxOutputBytes;
        this.clock = clock;
    }

    public ExecutionResult run(List<String> command, Duration timeout) throws InterruptedException {
        return run(command, timeout, timeout, () -> true, () -> true);
    }

    /**
     * Runs {@code command}; if it is still running after {@code checkpointAfter}, asks {@code stillOurs} once
     * whether to go on (the caller records that the task is running) and kills the process tree if not.
     *
     * @param mayStart asked right before the process starts, atomically with respect to {@link #killAll()}: a caller
     *                 that turns it false before calling {@code killAll} knows no process of its starts afterwards
     */
    public ExecutionResult run(List<String> command, Duration timeout, Duration checkpointAfter,
                               BooleanSupplier stillOurs, BooleanSupplier mayStart) throws InterruptedException {
        return run(command, timeout, checkpointAfter, stillOurs, mayStart, new Cancellation());
    }

    /**
     * As above; a {@code cancellation} before the start keeps the process from starting, one later kills its whole
     * tree. Either way the result is {@code cancelled} (with no start time if it never started).
     */
    public ExecutionResult run(List<String> command, Duration timeout, Duration checkpointAfter,
                               BooleanSupplier stillOurs, BooleanSupplier mayStart, Cancellation cancellation)
            throws InterruptedException {
        Instant started = clock.instant();
        ExecutablePolicy.Resolution resolution = policy.resolve(command);
        if (resolution.isRefused()) {
            return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                    resolution.refusal());
        }
        Path workDirectory;
        try {
            workDirectory = workDirectories.acquire();
        } catch (IOException e) {
            return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                    "cannot start '" + command.get(0) + "': no working directory: " + e.getMessage());
        }
        ExecutionResult result = null;
        try {
            result = runIn(workDirectory, resolution.executable(), command, timeout, checkpointAfter, stillOurs,
                    mayStart, cancellation, started);
            return result;
        } finally {
            if (result != null && endedByItself(result)) {
                workDirectories.release(workDirectory);
            } else {
                // killed: a process may still finish a write; removal waits for that, and these are rare
                workDirectories.delete(workDirectory);
            }
        }
    }

    /** Exited on its own (its leftovers swept), not timed out, taken away, cancelled or interrupted. */
    private static boolean endedByItself(ExecutionResult result) {
        return result.exitCode() != null && result.state() != TaskState.CANCELLED;
    }

    private ExecutionResult runIn(Path workDirectory, Path executable, List<String> command, Duration timeout,
                                  Duration checkpointAfter, BooleanSupplier stillOurs, BooleanSupplier mayStart,
                                  Cancellation cancellation, Instant started)
            throws InterruptedException {
        String executionId = guardian.newExecutionId();
        Map<String, String> taskEnvironment = environment.forTask(workDirectory, executionId);
        Process process;
        // the turn first: a kill of them all waits for the starts under way, not for every one queued for a turn,
        // and a cancel or a give-up that comes while a task waits for its turn keeps it from starting
        try (ProcessLauncher.Turn turn = ProcessLauncher.awaitTurn()) {
            starting.readLock().lock();
            try {
                if (cancellation.isCancelled()) {
                    return new ExecutionResult(TaskState.CANCELLED, null, null, false, null, clock.instant(),
                            "cancelled before it started");
                }
                if (!mayStart.getAsBoolean()) {
                    if (cancellation.isCancelled()) { // the caller learnt of a cancel just now
                        return new ExecutionResult(TaskState.CANCELLED, null, null, false, null, clock.instant(),
                                "cancelled before it started");
                    }
                    return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                            "not started: the worker gave up its work");
                }
                try {
                    process = ProcessLauncher.start(turn, executable, command.subList(1, command.size()),
                            workDirectory, taskEnvironment);
                } catch (IOException e) {
                    return new ExecutionResult(TaskState.FAILED, null, null, false, started, clock.instant(),
                            "cannot start '" + command.get(0) + "': " + e.getMessage());
                }
                live.put(process, executionId);
                ProcessTreeKiller.started(process);
            } finally {
                starting.readLock().unlock();
            }
        }
        // From another thread: the waits below return as soon as the process is gone.
        cancellation.onCancel(() -> ProcessTreeKiller.killTree(process, executionId));
        TailBuffer tail = new TailBuffer(maxOutputBytes);
        Future<?> pump = PUMPS.submit(() -> pump(process.getInputStream(), tail));
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean finished = checkpointAfter.compareTo(timeout) < 0
                    && process.waitFor(checkpointAfter.toNanos(), TimeUnit.NANOSECONDS);
            if (!finished && checkpointAfter.compareTo(timeout) < 0 && !stillOurs.getAsBoolean()) {
                ProcessTreeKiller.killTree(process, executionId);
                process.waitFor(5, TimeUnit.SECONDS);
                awaitPump(pump, 1000);
                return new ExecutionResult(TaskState.FAILED, null, tail.text(), tail.truncated(), started,
                        clock.instant(), "the task was taken from this worker; process tree killed");
            }
            if (!finished) {
                finished = process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            if (!finished) {
                ProcessTreeKiller.killTree(process, executionId);
                process.waitFor(5, TimeUnit.SECONDS);
                awaitPump(pump, 1000);
                return new ExecutionResult(TaskState.TIMED_OUT, null, tail.text(), tail.truncated(), started,
                        clock.instant(), "timed out after " + timeout.toSeconds() + "s; process tree killed");
            }
            // The task ends with its process: what it started in the background goes too (and with it, whatever
            // still holds the output open).
            ProcessTreeKiller.exited(process);
            int leftovers = ProcessTreeKiller.killLeftovers(executionId);
            if (leftovers > 0) {
                log.info("killed {} process(es) left behind by '{}' (pid {})", leftovers, command.get(0),
                        process.pid());
            }
            awaitPump(pump, 5000);
            int exit = process.exitValue();
            if (cancellation.isCancelled()) {
                return new ExecutionResult(TaskState.CANCELLED, exit, tail.text(), tail.truncated(), started,
                        clock.instant(), "cancelled; process tree killed");
            }
            return new ExecutionResult(exit == 0 ? TaskState.DONE : TaskState.FAILED, exit, tail.text(),
                    tail.truncated(), started, clock.instant(), exit == 0 ? null : "exited with code " + exit);
        } catch (InterruptedException e) {
            ProcessTreeKiller.killTree(process, executionId);
            throw e;
        } finally {
            ProcessTreeKiller.exited(process);
            live.remove(process);
        }
    }

    /** Kills every process this runner started, children first. Used when the worker's session is lost. */
    public int killAll() {
        starting.writeLock().lock();
        try {
            int killed = 0;
            for (Map.Entry<Process, String> entry : List.copyOf(live.entrySet())) {
                ProcessTreeKiller.killTree(entry.getKey(), entry.getValue());
                killed++;
            }
            return killed;
        } finally {
            starting.writeLock().unlock();
        }
    }

    public int running() {
        return live.size();
    }

    /** When the worker stops: nothing it started runs on. */
    @Override
    public void close() {
        int killed = killAll();
        if (killed > 0) {
            log.warn("killed {} task process(es) still running at shutdown", killed);
        }
        workDirectories.stopReusing();
    }

    private static void awaitPump(Future<?> pump, long millis) throws InterruptedException {
        try {
            pump.get(millis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // output still held open by a process out of reach, or the pump failed: the tail so far is the output
        }
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
