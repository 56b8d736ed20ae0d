package io.zootask.master.recovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.Term;
import io.zootask.protocol.Attempt;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the work of departed workers: each assignment under an {@code /assign/<w>} whose worker is gone goes
 * back to the queue under the same id with the next attempt (or fails with "worker lost" once the attempts are used
 * up), unless a live session still runs it (its ephemeral {@code /running} marker); the empty parent is removed once
 * its {@link AssignParentGrace grace} is over.
 *
 * <p>Runs on the active master's one thread.
 */
public final class OrphanRecovery {

    private static final Logger log = LoggerFactory.getLogger(OrphanRecovery.class);

    private final CuratorFramework client;
    private final FencedWriter writer;
    private final ClusterModel model;
    private final Term term;
    private final String masterId;
    private final Clock clock;
    private final AssignParentGrace parentGrace;
    private final Counter requeued;
    private final Counter failed;
    private final Counter cancelled;

    public OrphanRecovery(CuratorFramework client, FencedWriter writer, ClusterModel model, Term term, String masterId,
                          Duration assignParentGrace, Clock clock, MeterRegistry meters) {
        this.client = client;
        this.writer = writer;
        this.model = model;
        this.term = term;
        this.masterId = masterId;
        this.clock = clock;
        this.parentGrace = new AssignParentGrace(assignParentGrace, clock);
        this.requeued = meters.counter("zootask.master.tasks.requeued");
        this.failed = meters.counter("zootask.master.tasks.failed");
        this.cancelled = meters.counter("zootask.master.tasks.cancelled");
    }

    /**
     * Recovers what the model shows as orphaned.
     *
     * @return how long until the grace of an empty parent is over, when one is waiting: look again then
     */
    public Optional<Duration> recover() {
        Map<String, List<String>> orphans = model.orphanedAssignments();
        Set<String> ownerlessEmpty = new HashSet<>();
        for (Map.Entry<String, List<String>> orphan : orphans.entrySet()) {
            String worker = orphan.getKey();
            boolean pending = false;
            for (String task : orphan.getValue()) {
                if (!term.writable()) {
                    return Optional.empty();
                }
                if (model.isRunning(task) && stillRunning(task)) {
                    pending = true; // a draining worker's session still runs it; it reports or its marker vanishes
                    continue;
                }
                requeue(worker, task);
            }
            if (!pending && model.assignmentsOf(worker) == 0) {
                ownerlessEmpty.add(worker);
            }
        }
        parentGrace.retainOnly(ownerlessEmpty);
        for (String worker : ownerlessEmpty) {
            if (term.writable() && parentGrace.expired(worker)) {
                removeAssignParent(worker);
            }
        }
        return parentGrace.untilNextExpiry();
    }

    /** Fenced, and refused if the worker registered meanwhile: see {@link FencedWriter#removeAssignmentParent}. */
    private void removeAssignParent(String worker) {
        try {
            writer.removeAssignmentParent(worker);
            model.removeAssignmentParent(worker);
            parentGrace.forget(worker);
            log.info("removed the empty assignments parent of departed worker {}", worker);
        } catch (FencedWriter.RefusedException e) {
            switch (e.refusal()) {
                case NOT_LEADER -> term.end("our election node is gone");
                case NO_ASSIGN_PARENT -> {
                    model.removeAssignmentParent(worker);
                    parentGrace.forget(worker);
                }
                default -> parentGrace.forget(worker); // the worker came, or work did: start over if it leaves
            }
        } catch (Exception e) {
            log.warn("cannot remove /assign/{}: {}", worker, e.toString());
        }
    }

    /** A running marker counts only if a live session owns it; a persistent one is foreign debris. */
    private boolean stillRunning(String taskId) {
        try {
            Stat stat = client.checkExists().forPath(ZNodes.running(taskId));
            if (stat == null) {
                model.removeRunning(taskId);
                return false;
            }
            if (stat.getEphemeralOwner() == 0) {
                writer.removeOwnerlessMarker(taskId, stat.getVersion());
                model.removeRunning(taskId);
                return false;
            }
            return true;
        } catch (Exception e) {
            return true;
        }
    }

    private void requeue(String worker, String taskId) {
        byte[] data;
        try {
            data = client.getData().forPath(ZNodes.assignment(worker, taskId));
        } catch (KeeperException.NoNodeException gone) {
            model.removeAssignment(worker, taskId);
            return;
        } catch (Exception e) {
            log.warn("cannot read assignment /assign/{}/{}: {}", worker, taskId, e.toString());
            return;
        }
        try {
            TaskSpec current;
            try {
                current = ProtocolCodec.decodeTask(data);
            } catch (MalformedDataException e) {
                writer.failAssigned(worker, taskId, TaskStatus.failure(null, masterId, clock.instant(),
                        "malformed task: " + e.getMessage()));
                failed.increment();
                model.removeAssignment(worker, taskId);
                return;
            }
            if (model.isCancelRequested(taskId)) {
                writer.cancelAssigned(worker, taskId, TaskStatus.cancelled(current, masterId, clock.instant(), null));
                model.removeCancelRequest(taskId);
                model.removeAssignment(worker, taskId);
                cancelled.increment();
                log.info("task {} of departed worker {} cancelled instead of re-queued", taskId, worker);
                return;
            }
            Attempt lost = new Attempt(current.attempt(), worker, TaskState.FAILED, null, null, clock.instant(),
                    "worker lost");
            if (current.runsAgainAfter(TaskState.FAILED, true)) {
                TaskSpec next = current.nextAttempt(lost);
                writer.requeue(worker, taskId, ProtocolCodec.encode(next));
                requeued.increment();
                model.addQueued(taskId);
                log.info("re-queued task {} of departed worker {} (attempt {})", taskId, worker, next.attempt());
            } else {
                writer.failAssigned(worker, taskId, TaskStatus.failure(current, worker, clock.instant(),
                        "worker lost"));
                failed.increment();
                log.info("task {} failed: worker {} lost on attempt {} of {}", taskId, worker, current.attempt(),
                        current.effectiveRetry().effectiveMaxAttempts());
            }
            model.removeAssignment(worker, taskId);
        } catch (FencedWriter.RefusedException e) {
            if (e.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                term.end("our election node is gone");
            }
            log.info("recovery of /assign/{}/{} not applied: {}", worker, taskId, e.getMessage());
        } catch (Exception e) {
            log.warn("recovery of /assign/{}/{} failed: {}", worker, taskId, e.toString());
        }
    }
}
