package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RunningMarker;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.execution.ExecutablePolicy;
import io.zootask.worker.execution.ExecutionResult;
import io.zootask.worker.execution.ProcessRunner;
import io.zootask.worker.registration.Registration;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one assignment through its life on this worker:
 * <ol>
 * <li>start: ONE transaction checks the assignment is still ours and creates the ephemeral {@code /running/<id>};
 * <li>run the process;
 * <li>complete: ONE transaction creates {@code /status/<id>} and deletes the assignment and the running marker.
 * </ol>
 * Both transactions are fenced by the assignment's path under this session's worker id: if the master re-queued the
 * task (our session expired), the assignment is gone and nothing is written.
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

    public AssignmentRunner(CuratorFramework client, ProcessRunner processes, ExecutablePolicy policy,
                            Duration defaultTimeout, Clock clock, MeterRegistry meters, ExecutionJournal journal) {
        this.journal = journal;
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
        if (!markRunning(registration, taskId, task)) {
            return;
        }
        Duration timeout = task.timeoutSeconds() == null ? defaultTimeout : Duration.ofSeconds(task.timeoutSeconds());
        long begin = System.nanoTime();
        journal.started(taskId, task.attempt(), registration.workerId());
        ExecutionResult result;
        try {
            result = processes.run(task.command(), timeout);
        } finally {
            journal.ended(taskId, task.attempt(), registration.workerId(),
                    registration.isAbandoned() ? "abandoned" : "finished");
        }
        executionTimer.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS);
        if (registration.isAbandoned()) {
            // Our session is gone (or we are shutting down past the grace period): the master re-queues this task;
            // a status from us now could race the next attempt.
            log.info("not reporting {}: registration {} was abandoned", taskId, registration);
            return;
        }
        complete(registration, taskId, new TaskStatus(result.state(), task.command(), result.exitCode(),
                result.output(), result.outputTruncated() ? Boolean.TRUE : null, registration.workerId(),
                task.attempt(), task.submittedAt(), result.startedAt(), result.finishedAt(), result.message(),
                task.submission()), true);
    }

    private boolean markRunning(Registration registration, String taskId, TaskSpec task) {
        RunningMarker marker = new RunningMarker(registration.workerId(), task.attempt(), clock.instant());
        try {
            client.transaction().forOperations(
                    client.transactionOp().check().forPath(ZNodes.assignment(registration.workerId(), taskId)),
                    client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                            .forPath(ZNodes.running(taskId), ProtocolCodec.encode(marker)));
            return true;
        } catch (KeeperException.NodeExistsException exists) {
            // Curator retries a transaction whose reply was lost; if the first try landed, the marker is ours.
            if (ownedBy(ZNodes.running(taskId), registration.sessionId())) {
                return true;
            }
            log.info("not starting {}: another session marks it running", taskId);
            return false;
        } catch (Exception e) {
            log.info("not starting {}: {}", taskId, e.toString());
            return false;
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
        byte[] data = ProtocolCodec.encode(status);
        while (!registration.isAbandoned()) {
            try {
                if (hasMarker) {
                    client.transaction().forOperations(
                            client.transactionOp().create().forPath(ZNodes.status(taskId), data),
                            client.transactionOp().delete().forPath(assignment),
                            client.transactionOp().delete().forPath(ZNodes.running(taskId)));
                } else {
                    client.transaction().forOperations(
                            client.transactionOp().create().forPath(ZNodes.status(taskId), data),
                            client.transactionOp().delete().forPath(assignment));
                }
                meters.counter("zootask.worker.tasks.finished", "state", status.state().wireName()).increment();
                return;
            } catch (KeeperException.ConnectionLossException | KeeperException.OperationTimeoutException e) {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (KeeperException e) {
                resolveRejectedCompletion(registration, taskId, e);
                return;
            } catch (Exception e) {
                log.warn("completion of {} failed: {}", taskId, e.toString());
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        log.info("not reporting {}: registration {} was abandoned", taskId, registration);
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
