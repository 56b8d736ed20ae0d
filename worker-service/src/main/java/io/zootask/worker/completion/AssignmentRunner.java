package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RunningMarker;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
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
    private final GroupCommitter committer;
    private final Duration markRunningAfter;
    private final StatusFitter fitter;
    private final Object admission = new Object();
    private final Map<String, Execution> inFlight = new ConcurrentHashMap<>();
    private boolean admitting = true; // guarded by admission

    public AssignmentRunner(CuratorFramework client, ProcessRunner processes, ExecutablePolicy policy,
                            Duration defaultTimeout, Clock clock, MeterRegistry meters, ExecutionJournal journal,
                            GroupCommitter committer, Duration markRunningAfter, int maxStatusBytes) {
        this.markRunningAfter = markRunningAfter;
        this.fitter = new StatusFitter(maxStatusBytes);
        this.journal = journal;
        this.committer = committer;
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
            complete(registration, taskId, TaskStatus.failure(null, registration.workerId(), clock.instant(),
                    "malformed task: " + e.getMessage()), false);
            return;
        }
        Optional<String> refusal = policy.refusal(task.command());
        if (refusal.isPresent()) {
            complete(registration, taskId, TaskStatus.failure(task, registration.workerId(), clock.instant(),
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
        private boolean marked;
        private boolean finished;
        private boolean takenAway;
        private boolean markerUncertain; // the marker's write failed ambiguously: it may have landed

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
                finished = true;
                if (takenAway) {
                    log.info("not reporting {}: the assignment was taken from {}", taskId, registration);
                    return;
                }
                if (registration.isAbandoned()) {
                    // Our session is gone (or we are shutting down past the grace period): the master re-queues
                    // this task; a status from us now could race the next attempt.
                    log.info("not reporting {}: registration {} was abandoned", taskId, registration);
                    return;
                }
                if (!marked && markerUncertain) {
                    marked = ownedBy(ZNodes.running(taskId), registration.sessionId()); // else it outlives the task
                }
                complete(registration, taskId, new TaskStatus(result.state(), task.command(), result.exitCode(),
                        result.output(), result.outputTruncated() ? Boolean.TRUE : null, registration.workerId(),
                        task.attempt(), task.submittedAt(), result.startedAt(), result.finishedAt(),
                        result.message(), task.submission(), task.submittedBy()), marked);
            }
        }

        /** False only when ZooKeeper says the task is no longer ours: then the caller stops running it. */
        synchronized boolean ensureMarked() {
            if (finished || marked || takenAway) {
                return !takenAway;
            }
            switch (markRunning(registration, taskId, task)) {
                case MARKED -> marked = true;
                case NOT_OURS -> takenAway = true;
                case UNKNOWN -> markerUncertain = true; // keep running: a lost session kills us anyway
            }
            return !takenAway;
        }
    }

    private enum Mark { MARKED, NOT_OURS, UNKNOWN }

    private Mark markRunning(Registration registration, String taskId, TaskSpec task) {
        RunningMarker marker = new RunningMarker(registration.workerId(), task.attempt(), clock.instant());
        try {
            byte[] data = ProtocolCodec.encode(marker);
            // The check of /workers/<me>: Curator may retry this transaction after a lost connection, when we have
            // already abandoned the registration and released its markers (deleting /workers/<me> first). Landing
            // then, the marker would make the master wait for a task nobody runs, as long as our session lives.
            committer.commit(List.of(
                    client.transactionOp().check().forPath(ZNodes.worker(registration.workerId())),
                    client.transactionOp().check().forPath(ZNodes.assignment(registration.workerId(), taskId)),
                    client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                            .forPath(ZNodes.running(taskId), data)), data.length);
            return Mark.MARKED;
        } catch (KeeperException.NodeExistsException exists) {
            // Curator retries a transaction whose reply was lost; if the first try landed, the marker is ours.
            if (ownedBy(ZNodes.running(taskId), registration.sessionId())) {
                return Mark.MARKED;
            }
            log.info("stopping {}: another session marks it running", taskId);
            return Mark.NOT_OURS;
        } catch (KeeperException.NoNodeException gone) {
            // the assignment is gone (re-queued), or we are no longer in /workers: either way the master may hand
            // the task to another worker, so it must not go on here
            log.info("stopping {}: its assignment or our registration {} is gone", taskId, registration);
            return Mark.NOT_OURS;
        } catch (Exception e) {
            log.info("cannot mark {} running: {}", taskId, e.toString());
            return Mark.UNKNOWN;
        }
    }

    private boolean ownedBy(String path, long sessionId) {
        try {
            Stat stat = client.checkExists().forPath(path);
            return stat != null && stat.getEphemeralOwner() == sessionId;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Writes the status and removes the assignment in one transaction, retrying through connection loss for as long
     * as the registration's session lives. A retry that finds its own earlier attempt already applied is a success.
     */
    private void complete(Registration registration, String taskId, TaskStatus status, boolean hasMarker)
            throws InterruptedException {
        String assignment = ZNodes.assignment(registration.workerId(), taskId);
        byte[] data = fitted(taskId, status);
        while (!registration.isAbandoned()) {
            try {
                List<CuratorOp> ops = new ArrayList<>(3);
                ops.add(client.transactionOp().create().forPath(ZNodes.status(taskId), data));
                ops.add(client.transactionOp().delete().forPath(assignment));
                if (hasMarker) {
                    ops.add(client.transactionOp().delete().forPath(ZNodes.running(taskId)));
                }
                committer.commit(ops, data.length);
                meters.counter("zootask.worker.tasks.finished", "state", status.state().wireName()).increment();
                return;
            } catch (KeeperException.ConnectionLossException | KeeperException.OperationTimeoutException e) {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (KeeperException e) {
                resolveRejectedCompletion(registration, taskId, e);
                return;
            } catch (GroupCommitter.UnitTooLargeException e) {
                // Cannot happen with the fitter's budget below the request limit, unless the paths are absurd; never
                // loop on it: the smallest status there is says why.
                log.error("completion of {} refused: {}", taskId, e.getMessage());
                data = ProtocolCodec.encode(TaskStatus.failure(null, registration.workerId(), clock.instant(),
                        "the status does not fit ZooKeeper's request limit"));
            } catch (Exception e) {
                log.warn("completion of {} failed: {}", taskId, e.toString());
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        log.info("not reporting {}: registration {} was abandoned", taskId, registration);
    }

    private byte[] fitted(String taskId, TaskStatus status) {
        StatusFitter.Fitted fitted = fitter.fit(status);
        switch (fitted.fit()) {
            case WHOLE -> {
            }
            case OUTPUT_CUT -> log.info("status of {}: output cut to {} characters to fit ZooKeeper's request limit",
                    taskId, fitted.status().output().length());
            case COMMAND_DROPPED -> {
                log.warn("status of {} does not fit ZooKeeper's request limit ({} bytes) even without output: "
                        + "writing it as failed, without its command", taskId, fitter.maxBytes());
                meters.counter("zootask.worker.statuses.oversized").increment();
            }
        }
        return fitted.data();
    }

    private void resolveRejectedCompletion(Registration registration, String taskId, KeeperException cause) {
        try {
            boolean stillOurs = client.checkExists()
                    .forPath(ZNodes.assignment(registration.workerId(), taskId)) != null;
            if (!stillOurs) {
                // Either our previous try landed (connection lost after commit) or the task was taken from us.
                log.info("completion of {} not written: the assignment is no longer ours ({})", taskId,
                        cause.code());
                return;
            }
            if (client.checkExists().forPath(ZNodes.status(taskId)) != null) {
                // Somebody (a hand-written status) finished it first: just release the assignment.
                client.delete().forPath(ZNodes.assignment(registration.workerId(), taskId));
                deleteQuietly(ZNodes.running(taskId));
                return;
            }
            log.warn("completion of {} rejected: {}", taskId, cause.toString());
        } catch (Exception e) {
            log.warn("completion of {} rejected ({}), and checking why failed: {}", taskId, cause.code(),
                    e.toString());
        }
    }

    private void deleteQuietly(String path) {
        try {
            client.delete().forPath(path);
        } catch (Exception ignored) {
            // best effort: an ephemeral marker also vanishes with our session
        }
    }
}
