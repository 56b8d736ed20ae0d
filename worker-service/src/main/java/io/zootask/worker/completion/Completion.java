package io.zootask.worker.completion;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.registration.Registration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a task's execution on this worker, in ONE transaction fenced by the assignment's path under this
 * session's worker id: either the terminal status (fitted under ZooKeeper's request limit) is created, or, for a
 * failed execution its retry policy runs again, the task goes back to {@code /tasks/<id>} as its next attempt; with
 * it the assignment (and the running marker, if any) is deleted, and a pending {@code /cancel/<id>} too. Its hazards
 * are the lost reply (a retry finds its own first try applied), the refusal (the task was taken from us, or finished
 * by hand, or its cancel request withdrawn meanwhile), each understood before giving up, and a cancel that arrives
 * just after the status: the request is removed once the status is there, whichever of the two sees the other.
 */
final class Completion {

    private static final Logger log = LoggerFactory.getLogger(Completion.class);

    /** How many recent completions are remembered, for cancels that arrive just after them. */
    private static final int REMEMBERED = 4096;

    private final CuratorFramework client;
    private final GroupCommitter committer;
    private final StatusFitter fitter;
    private final Clock clock;
    private final MeterRegistry meters;
    private final CancelRequests cancels;
    private final Set<String> finishedHere = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    /** What became of one fenced write. */
    private enum Outcome {
        WRITTEN,
        /** refused, and understood: someone else finished the task, or took it from us */
        SETTLED,
        /** a unit ZooKeeper would never accept */
        TOO_LARGE,
        ABANDONED
    }

    Completion(CuratorFramework client, GroupCommitter committer, StatusFitter fitter, Clock clock,
               MeterRegistry meters, CancelRequests cancels) {
        this.client = client;
        this.committer = committer;
        this.fitter = fitter;
        this.clock = clock;
        this.meters = meters;
        this.cancels = cancels;
    }

    /**
     * Writes the status and removes the assignment in one transaction, retrying through connection loss for as long
     * as the registration's session lives. A retry that finds its own earlier attempt already applied is a success.
     */
    void complete(Registration registration, String taskId, TaskStatus status, boolean hasMarker)
            throws InterruptedException {
        byte[] data = fitted(taskId, status);
        Outcome outcome = write(registration, taskId, ZNodes.status(taskId), data, hasMarker);
        if (outcome == Outcome.TOO_LARGE) {
            // Cannot happen with the fitter's budget below the request limit, unless the paths are absurd; never
            // loop on it: the smallest status there is says why.
            log.error("completion of {} refused: the status does not fit ZooKeeper's request limit", taskId);
            data = ProtocolCodec.encode(TaskStatus.failure(null, registration.workerId(), clock.instant(),
                    "the status does not fit ZooKeeper's request limit"));
            outcome = write(registration, taskId, ZNodes.status(taskId), data, hasMarker);
        }
        if (outcome == Outcome.WRITTEN) {
            meters.counter("zootask.worker.tasks.finished", "state", status.state().wireName()).increment();
            if (status.state() == TaskState.CANCELLED) {
                meters.counter("zootask.worker.tasks.cancelled").increment();
            }
            finishedHere.add(taskId);
            if (cancels.isRequested(taskId)) {
                withdrawCancel(taskId); // came after the status's transaction was put together
            }
        }
    }

    /**
     * Puts the task back in the queue as {@code next} (its next attempt) instead of a terminal status, in the same
     * fenced transaction; {@code ended} is written instead if the task cannot go back (too large, with its history).
     */
    void retry(Registration registration, String taskId, TaskSpec next, TaskStatus ended, boolean hasMarker)
            throws InterruptedException {
        byte[] data = ProtocolCodec.encode(next);
        Outcome outcome = write(registration, taskId, ZNodes.task(taskId), data, hasMarker);
        if (outcome == Outcome.TOO_LARGE) {
            log.warn("{} cannot go back to the queue: with its history it exceeds ZooKeeper's request limit",
                    taskId);
            complete(registration, taskId, ended, hasMarker);
        } else if (outcome == Outcome.WRITTEN) {
            meters.counter("zootask.worker.tasks.retried").increment();
            log.info("{} failed on attempt {}; back in the queue for attempt {}, not before {}", taskId,
                    next.attempt() - 1, next.attempt(), next.notBefore());
        }
    }

    /** Whether this worker wrote the task's status lately: a cancel that arrives now is too late. */
    boolean finishedHere(String taskId) {
        return finishedHere.contains(taskId);
    }

    /** Removes the request to cancel a task that has ended (best effort: the master removes leftovers too). */
    void withdrawCancel(String taskId) {
        deleteQuietly(ZNodes.cancel(taskId));
    }

    /** Creates {@code path} with {@code data} and deletes the assignment (and the marker) in one transaction. */
    private Outcome write(Registration registration, String taskId, String path, byte[] data, boolean hasMarker)
            throws InterruptedException {
        String assignment = ZNodes.assignment(registration.workerId(), taskId);
        boolean cancelWithdrawn = false;
        while (!registration.isAbandoned()) {
            // the request to cancel goes with the task's end; not when the task goes back to the queue, where the
            // master takes it back
            boolean withCancel = !cancelWithdrawn && path.equals(ZNodes.status(taskId))
                    && cancels.isRequested(taskId);
            try {
                List<CuratorOp> ops = new ArrayList<>(4);
                ops.add(client.transactionOp().create().forPath(path, data));
                ops.add(client.transactionOp().delete().forPath(assignment));
                if (hasMarker) {
                    ops.add(client.transactionOp().delete().forPath(ZNodes.running(taskId)));
                }
                if (withCancel) {
                    ops.add(client.transactionOp().delete().forPath(ZNodes.cancel(taskId)));
                }
                committer.commit(ops, data.length);
                return Outcome.WRITTEN;
            } catch (KeeperException.ConnectionLossException | KeeperException.OperationTimeoutException e) {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (KeeperException e) {
                if (withCancel && cancelRequestGone(registration, taskId, path)) {
                    cancelWithdrawn = true; // removed by someone else meanwhile: write without it
                    continue;
                }
                resolveRejected(registration, taskId, path, e);
                return Outcome.SETTLED;
            } catch (GroupCommitter.UnitTooLargeException e) {
                return Outcome.TOO_LARGE;
            } catch (Exception e) {
                log.warn("completion of {} failed: {}", taskId, e.toString());
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        log.info("not reporting {}: registration {} was abandoned", taskId, registration);
        return Outcome.ABANDONED;
    }

    /** A refusal caused by nothing but the cancel request's absence: the task is still ours and unfinished. */
    private boolean cancelRequestGone(Registration registration, String taskId, String path) {
        try {
            return client.checkExists().forPath(ZNodes.cancel(taskId)) == null
                    && client.checkExists().forPath(ZNodes.assignment(registration.workerId(), taskId)) != null
                    && client.checkExists().forPath(path) == null;
        } catch (Exception e) {
            return false;
        }
    }

    private byte[] fitted(String taskId, TaskStatus status) {
        StatusFitter.Fitted fitted = fitter.fit(status);
        switch (fitted.fit()) {
            case WHOLE -> {
            }
            case OUTPUT_CUT -> log.info("status of {}: output (or history) cut to fit ZooKeeper's request limit",
                    taskId);
            case COMMAND_DROPPED -> {
                log.warn("status of {} does not fit ZooKeeper's request limit ({} bytes) even without output: "
                        + "writing it as failed, without its command", taskId, fitter.maxBytes());
                meters.counter("zootask.worker.statuses.oversized").increment();
            }
        }
        return fitted.data();
    }

    private void resolveRejected(Registration registration, String taskId, String path, KeeperException cause) {
        try {
            boolean stillOurs = client.checkExists()
                    .forPath(ZNodes.assignment(registration.workerId(), taskId)) != null;
            if (!stillOurs) {
                // Either our previous try landed (connection lost after commit), the task was taken from us, or a
                // cancel finished it first: in each case someone else's write settled it.
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
            log.warn("completion of {} ({}) rejected: {}", taskId, path, cause.toString());
        } catch (Exception e) {
            log.warn("completion of {} rejected ({}), and checking why failed: {}", taskId, cause.code(),
                    e.toString());
        }
    }

    private void deleteQuietly(String path) {
        try {
            client.delete().forPath(path);
        } catch (Exception ignored) {
            // best effort: an ephemeral marker also vanishes with our session, a cancel request with the master
        }
    }
}
