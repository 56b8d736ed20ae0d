package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zootask.protocol.Attempt;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.execution.Builtins;
import io.zootask.worker.execution.Cancellation;
import io.zootask.worker.execution.ExecutablePolicy;
import io.zootask.worker.execution.ExecutionResult;
import io.zootask.worker.execution.ProcessRunner;
import io.zootask.worker.registration.Registration;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one assignment through its life on this worker:
 * <ol>
 * <li>read the assignment (this also proves the session alive and the task still ours);
 * <li>run it, not before its {@code notBefore}; if it is still running after {@code markRunningAfter}, ONE
 * transaction checks the assignment is still ours and creates the ephemeral {@code /running/<id>}, which users see
 * as {@code running};
 * <li>complete: ONE transaction creates {@code /status/<id>} and deletes the assignment (and the marker, if any);
 * or, for a failed execution its retry policy runs again, puts the task back in {@code /tasks} instead.
 * </ol>
 * A {@code /cancel/<id>} request stops it at any point before the completion: it never starts, or its process tree
 * is killed, and it completes {@code cancelled}.
 * A quick task thus costs the worker one write, not two. Writes go through the {@link GroupCommitter}, which folds
 * the transactions of concurrent tasks into one. Each is fenced by the assignment's path under this session's
 * worker id: if the master re-queued the task (our session expired), the assignment is gone and nothing is written.
 */
public class AssignmentRunner {

    private static final Logger log = LoggerFactory.getLogger(AssignmentRunner.class);

    private final CuratorFramework client;
    private final ProcessRunner processes;
    private final ExecutablePolicy policy;
    private final Duration defaultTimeout;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Timer executionTimer;
    private final ExecutionJournal journal;
    private final Duration markRunningAfter;
    private final RunningMarks marks;
    private final Completion completion;
    private final CancelRequests cancels;
    private final Object admission = new Object();
    private final Map<String, Execution> inFlight = new ConcurrentHashMap<>();
    private boolean admitting = true; // guarded by admission

    public AssignmentRunner(CuratorFramework client, ProcessRunner processes, ExecutablePolicy policy,
                            Duration defaultTimeout, Clock clock, MeterRegistry meters, ExecutionJournal journal,
                            GroupCommitter committer, Duration markRunningAfter, int maxStatusBytes,
                            CancelRequests cancels) {
        this.markRunningAfter = markRunningAfter;
        this.journal = journal;
        this.cancels = cancels;
        this.marks = new RunningMarks(client, committer, clock);
        this.completion = new Completion(client, committer, new StatusFitter(maxStatusBytes), clock, meters,
                cancels);
        this.client = client;
        this.processes = processes;
        this.policy = policy;
        this.defaultTimeout = defaultTimeout;
        this.clock = clock;
        this.meters = meters;
        this.executionTimer = Timer.builder("zootask.worker.execution").description("time tasks spent running")
                .register(meters);
    }

    public void run(Registration registration, String taskId) throws InterruptedException {
        String assignment = ZNodes.assignment(registration.workerId(), taskId);
        byte[] data;
        try {
            // Read through this session: if it succeeds, the session is alive and the assignment is ours, so the
            // master has not re-queued the task (it only does so once our session or /workers entry is gone).
            data = client.getData().forPath(assignment);
        } catch (KeeperException.NoNodeException gone) {
            return; // re-queued or completed before we got to it
        } catch (Exception e) {
            log.warn("cannot read assignment {}: {}", assignment, e.toString());
            return;
        }
        TaskSpec task;
        try {
            task = ProtocolCodec.decodeTask(data);
        } catch (MalformedDataException e) {
            completion.complete(registration, taskId, TaskStatus.failure(null, registration.workerId(), clock.instant(),
                    "malformed task: " + e.getMessage()), false);
            return;
        }
        Optional<String> refusal = policy.refusal(task.command());
        if (refusal.isPresent()) {
            completion.complete(registration, taskId, TaskStatus.failure(task, registration.workerId(), clock.instant(),
                    refusal.get()), false);
            return;
        }
        Execution execution = admit(registration, taskId, task);
        if (execution == null) {
            return; // draining: the master re-queues it once we leave /workers
        }
        try {
            execution.carryOut();
        } finally {
            inFlight.remove(taskId, execution);
        }
    }

    /**
     * Takes back a task whose cancel was requested, if it is this worker's: a running process's whole tree is
     * killed, an execution not started yet never starts; either way its status says {@code cancelled}. A task
     * assigned here but not yet picked up (every slot busy) is finished at once, without waiting for a slot.
     */
    public void cancel(Registration registration, String taskId) throws InterruptedException {
        if (completion.finishedHere(taskId)) {
            completion.withdrawCancel(taskId); // too late: it ended here just before
            return;
        }
        Execution execution;
        synchronized (admission) {
            // Once we see no execution here, none is admitted later without seeing the request (the cache had it
            // before we were told): the two cannot both miss each other.
            execution = inFlight.get(taskId);
        }
        if (execution != null) {
            execution.cancellation.cancel();
            return;
        }
        String assignment = ZNodes.assignment(registration.workerId(), taskId);
        byte[] data;
        try {
            data = client.getData().forPath(assignment);
        } catch (KeeperException.NoNodeException notOurs) {
            if (completion.finishedHere(taskId)) {
                completion.withdrawCancel(taskId);
            }
            return; // another worker's, queued (the master's), or gone
        } catch (Exception e) {
            // not lost: whoever picks the assignment up finds the request before starting it
            log.info("cannot read assignment {} to cancel it: {}", assignment, e.toString());
            return;
        }
        TaskSpec task = null;
        try {
            task = ProtocolCodec.decodeTask(data);
        } catch (MalformedDataException e) {
            // cancelled all the same: there is nothing it could run
        }
        log.info("cancelling {} before it started", taskId);
        completion.complete(registration, taskId, TaskStatus.cancelled(task, registration.workerId(),
                clock.instant(), null), false);
    }

    /**
     * Stops taking new executions and makes sure each one under way has its running marker, so that withdrawing
     * from {@code /workers} afterwards does not make the master re-queue a task that is still running here.
     */
    public void stopAdmittingAndMarkInFlight() {
        synchronized (admission) {
            admitting = false;
        }
        for (Execution execution : List.copyOf(inFlight.values())) {
            execution.ensureMarked();
        }
    }

    private Execution admit(Registration registration, String taskId, TaskSpec task) {
        synchronized (admission) {
            if (!admitting || registration.isAbandoned()) {
                // Abandoned: its processes were killed and the master re-queues its tasks; a read that succeeded
                // went through the client's next session, which proves nothing about the old one.
                return null;
            }
            Execution execution = new Execution(registration, taskId, task);
            if (cancels.isRequested(taskId)) {
                execution.cancellation.cancel(); // it ends cancelled without starting
            }
            inFlight.put(taskId, execution);
            return execution;
        }
    }

    /**
     * One task's run on this worker. The running marker is written only if the process outlives
     * {@code markRunningAfter} (or the worker drains meanwhile): a task that finishes sooner costs no write for it,
     * and its status still says when it started. Marking and completing hold the same lock, so a drain never
     * withdraws while a completion without a marker is in flight.
     */
    private final class Execution {

        private final Registration registration;
        private final String taskId;
        private final TaskSpec task;
        private final Cancellation cancellation = new Cancellation();
        private Phase phase = Phase.UNMARKED; // guarded by this

        Execution(Registration registration, String taskId, TaskSpec task) {
            this.registration = registration;
            this.taskId = taskId;
            this.task = task;
        }

        void carryOut() throws InterruptedException {
            Duration timeout = task.timeoutSeconds() == null ? defaultTimeout
                    : Duration.ofSeconds(task.timeoutSeconds());
            long begin = System.nanoTime();
            AtomicBoolean started = new AtomicBoolean();
            ExecutionResult result;
            try {
                result = waitForNotBefore() ? cancelledBeforeStart()
                        : Builtins.isBuiltin(task.command()) ? runBuiltin(started)
                        : processes.run(task.command(), timeout, markRunningAfter, this::ensureMarked,
                                () -> mayStart(started), cancellation);
            } finally {
                if (started.get()) {
                    journal.ended(taskId, task.attempt(), registration.workerId(),
                            registration.isAbandoned() ? "abandoned" : "finished");
                }
            }
            executionTimer.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS);
            synchronized (this) {
                Phase before = phase;
                phase = Phase.FINISHED;
                if (before == Phase.TAKEN_AWAY) {
                    log.info("not reporting {}: the assignment was taken from {}", taskId, registration);
                    return;
                }
                if (registration.isAbandoned()) {
                    // Our session is gone (or we are shutting down past the grace period): the master re-queues
                    // this task; a status from us now could race the next attempt.
                    log.info("not reporting {}: registration {} was abandoned", taskId, registration);
                    return;
                }
                // an uncertain marker may have landed: if it is ours, the completion must delete it too
                boolean hasMarker = before == Phase.MARKED || (before == Phase.MARK_UNCERTAIN
                        && marks.ownedBy(ZNodes.running(taskId), registration.sessionId()));
                TaskStatus status = new TaskStatus(result.state(), task.command(), result.exitCode(),
                        result.output(), result.outputTruncated() ? Boolean.TRUE : null, registration.workerId(),
                        task.attempt(), task.submittedAt(), result.startedAt(), result.finishedAt(),
                        result.message(), task.submission(), task.submittedBy());
                // a cancel requested meanwhile wins over a retry: a cancelled task never runs again
                boolean cancelRequested = cancellation.isCancelled() || cancels.isRequested(taskId);
                if (!cancelRequested && task.runsAgainAfter(result.state(), false)) {
                    completion.retry(registration, taskId, task.nextAttempt(Attempt.of(status)),
                            status.withHistory(task), hasMarker);
                } else {
                    completion.complete(registration, taskId, status.withHistory(task), hasMarker);
                }
            }
        }

        /**
         * No execution starts before the task's {@code notBefore} (a delay, or a retry's backoff), even if it was
         * assigned earlier (a master that does not know the field, or clocks apart): waits, and says whether a
         * cancel came meanwhile.
         */
        private boolean waitForNotBefore() throws InterruptedException {
            while (task.notBefore() != null && !registration.isAbandoned()) {
                Duration left = Duration.between(clock.instant(), task.notBefore());
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                if (cancellation.awaitCancel(left.compareTo(Duration.ofSeconds(1)) < 0 ? left
                        : Duration.ofSeconds(1))) {
                    return true;
                }
            }
            return cancellation.isCancelled();
        }

        private ExecutionResult cancelledBeforeStart() {
            return new ExecutionResult(TaskState.CANCELLED, null, null, false, null, clock.instant(),
                    "cancelled before it started");
        }

        private ExecutionResult runBuiltin(AtomicBoolean started) {
            if (!mayStart(started)) {
                return cancellation.isCancelled() ? cancelledBeforeStart()
                        : new ExecutionResult(TaskState.FAILED, null, null, false, null, clock.instant(),
                                "not started: the worker gave up its work");
            }
            return Builtins.run(task.command(), clock);
        }

        /** Right before the start (atomically with a kill of everything): nothing starts once cancelled. */
        private boolean mayStart(AtomicBoolean started) {
            if (registration.isAbandoned()) {
                return false;
            }
            if (cancels.isRequested(taskId)) {
                cancellation.cancel();
            }
            if (cancellation.isCancelled()) {
                return false;
            }
            journal.started(taskId, task.attempt(), registration.workerId());
            started.set(true);
            return true;
        }

        /** False only when ZooKeeper says the task is no longer ours: then the caller stops running it. */
        synchronized boolean ensureMarked() {
            switch (phase) {
                case MARKED, FINISHED -> {
                    return true;
                }
                case TAKEN_AWAY -> {
                    return false;
                }
                default -> {
                    phase = switch (marks.mark(registration, taskId, task)) {
                        case MARKED -> Phase.MARKED;
                        case NOT_OURS -> Phase.TAKEN_AWAY;
                        case UNKNOWN -> Phase.MARK_UNCERTAIN; // keep running: a lost session kills us anyway
                    };
                    return phase != Phase.TAKEN_AWAY;
                }
            }
        }
    }

    /** Where one execution stands; it changes only under the execution's lock. */
    private enum Phase {
        /** running, no marker written (a quick task never needs one) */
        UNMARKED,
        /** the marker's write failed ambiguously: it may have landed */
        MARK_UNCERTAIN,
        /** running, and marked under our session */
        MARKED,
        /** ZooKeeper says the task is no longer ours: its process is stopped, nothing is reported */
        TAKEN_AWAY,
        /** the process ended: the outcome is reported (or not) and nothing is marked any more */
        FINISHED
    }

}
