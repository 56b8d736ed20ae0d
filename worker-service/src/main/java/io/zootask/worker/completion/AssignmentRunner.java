package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.execution.Builtins;
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
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one assignment through its life on this worker:
 * <ol>
 * <li>read the assignment (this also proves the session alive and the task still ours);
 * <li>run it; if it is still running after {@code markRunningAfter}, ONE transaction checks the assignment is still
 * ours and creates the ephemeral {@code /running/<id>}, which users see as {@code running};
 * <li>complete: ONE transaction creates {@code /status/<id>} and deletes the assignment (and the marker, if any).
 * </ol>
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
    private final Object admission = new Object();
    private final Map<String, Execution> inFlight = new ConcurrentHashMap<>();
    private boolean admitting = true; // guarded by admission

    public AssignmentRunner(CuratorFramework client, ProcessRunner processes, ExecutablePolicy policy,
                            Duration defaultTimeout, Clock clock, MeterRegistry meters, ExecutionJournal journal,
                            GroupCommitter committer, Duration markRunningAfter, int maxStatusBytes) {
        this.markRunningAfter = markRunningAfter;
        this.journal = journal;
        this.marks = new RunningMarks(client, committer, clock);
        this.completion = new Completion(client, committer, new StatusFitter(maxStatusBytes), clock, meters);
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
            journal.started(taskId, task.attempt(), registration.workerId());
            ExecutionResult result;
            try {
                result = Builtins.isBuiltin(task.command()) ? Builtins.run(task.command(), clock)
                        : processes.run(task.command(), timeout, markRunningAfter, this::ensureMarked,
                                () -> !registration.isAbandoned());
            } finally {
                journal.ended(taskId, task.attempt(), registration.workerId(),
                        registration.isAbandoned() ? "abandoned" : "finished");
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
                completion.complete(registration, taskId, new TaskStatus(result.state(), task.command(), result.exitCode(),
                        result.output(), result.outputTruncated() ? Boolean.TRUE : null, registration.workerId(),
                        task.attempt(), task.submittedAt(), result.startedAt(), result.finishedAt(),
                        result.message(), task.submission(), task.submittedBy()), hasMarker);
            }
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
