package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.registration.Registration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The completion of a task on this worker: ONE transaction creates {@code /status/<id>} (fitted under ZooKeeper's
 * request limit) and deletes the assignment (and the running marker, if any), fenced by the assignment's path under
 * this session's worker id. Its hazards are the lost reply (a retry finds its own first try applied) and the
 * refusal (the task was taken from us, or finished by hand), each understood before giving up.
 */
final class Completion {

    private static final Logger log = LoggerFactory.getLogger(Completion.class);

    private final CuratorFramework client;
    private final GroupCommitter committer;
    private final StatusFitter fitter;
    private final Clock clock;
    private final MeterRegistry meters;

    Completion(CuratorFramework client, GroupCommitter committer, StatusFitter fitter, Clock clock,
               MeterRegistry meters) {
        this.client = client;
        this.committer = committer;
        this.fitter = fitter;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Writes the status and removes the assignment in one transaction, retrying through connection loss for as long
     * as the registration's session lives. A retry that finds its own earlier attempt already applied is a success.
     */
    void complete(Registration registration, String taskId, TaskStatus status, boolean hasMarker)
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
