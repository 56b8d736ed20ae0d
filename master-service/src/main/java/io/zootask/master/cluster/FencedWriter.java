package io.zootask.master.cluster;

import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.Transactions;
import io.zootask.protocol.ZNodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Every write the active master makes, each ONE transaction that starts with a check of its own election znode: a
 * master whose session is gone (and so whose latch node is gone) cannot change anything, whatever its stale picture
 * of the cluster says.
 *
 * <p>When ZooKeeper refuses a transaction, the writer says why as a {@link Refusal}, derived here from the operation
 * that failed: only this class knows the order of the operations it built.
 */
public final class FencedWriter {

    /** Why a transaction was refused: what no longer held of what the master assumed. */
    public enum Refusal {
        /** our election node is gone: we do not lead any more */
        NOT_LEADER,
        /** the worker's {@code /workers/<w>} is gone */
        WORKER_GONE,
        /** a worker's {@code /workers/<w>} exists (when we meant to remove its assignment parent) */
        WORKER_PRESENT,
        /** {@code /assign/<w>} does not exist (a worker registered by hand before creating it) */
        NO_ASSIGN_PARENT,
        /** {@code /assign/<w>} still has assignments under it */
        ASSIGN_PARENT_BUSY,
        /** the task was assigned already (its assignment exists) */
        ALREADY_ASSIGNED,
        /** the task's znode changed since we read it */
        TASK_CHANGED,
        /** the task's znode is gone (finished, cancelled or deleted by someone) */
        TASK_GONE,
        /** the task's znode has child znodes (foreign data), so it cannot be deleted */
        TASK_HAS_CHILDREN,
        /** the task has a status already */
        ALREADY_FINISHED,
        /** a live session holds the task's {@code /running} marker */
        STILL_RUNNING,
        /** the request to cancel the task is gone (someone else took the task back, or withdrew it) */
        CANCEL_GONE
    }

    /** A transaction ZooKeeper refused, and why. */
    public static final class RefusedException extends Exception {
        private final Refusal refusal;

        RefusedException(Refusal refusal, KeeperException cause) {
            super(refusal + " (" + cause.code() + " on " + cause.getPath() + ")", cause);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** One operation of a transaction, and what its failure means. */
    private record Step(CuratorOp op, Meaning meaning) {
    }

    @FunctionalInterface
    private interface Meaning {
        Refusal of(KeeperException.Code code);
    }

    private static final Meaning WORKER_MUST_LIVE = code -> Refusal.WORKER_GONE;
    private static final Meaning TASK_MUST_BE_UNCHANGED = code -> switch (code) {
        case NONODE -> Refusal.TASK_GONE;
        case NOTEMPTY -> Refusal.TASK_HAS_CHILDREN;
        default -> Refusal.TASK_CHANGED;
    };

    private final CuratorFramework client;
    private final String leadershipPath;

    public FencedWriter(CuratorFramework client, String leadershipPath) {
        this.client = client;
        this.leadershipPath = leadershipPath;
    }

    public String leadershipPath() {
        return leadershipPath;
    }

    /** Moves a queued task to a worker: create the assignment, delete the queued znode (at the version we read). */
    public void assign(String workerId, String taskId, byte[] data, int taskVersion) throws Exception {
        assignAll(List.of(new Move(workerId, taskId, data, taskVersion)));
    }

    /** One queued task for one worker, with the data and version read from {@code /tasks}. */
    public record Move(String workerId, String taskId, byte[] data, int taskVersion) {
    }

    /**
     * Many assignments in ONE transaction: one fence check, one check per worker, and a create + delete per task.
     * ZooKeeper commits (and syncs to disk) the whole batch at once; if any part no longer holds, none of it lands.
     */
    public void assignAll(List<Move> moves) throws Exception {
        List<Step> steps = new ArrayList<>(moves.size() * 2 + 4);
        Set<String> workersChecked = new HashSet<>();
        for (Move move : moves) {
            if (workersChecked.add(move.workerId())) {
                steps.add(new Step(client.transactionOp().check().forPath(ZNodes.worker(move.workerId())),
                        WORKER_MUST_LIVE));
            }
            steps.add(new Step(client.transactionOp().create()
                    .forPath(ZNodes.assignment(move.workerId(), move.taskId()), move.data()),
                    code -> code == KeeperException.Code.NONODE ? Refusal.NO_ASSIGN_PARENT : Refusal.ALREADY_ASSIGNED));
            steps.add(new Step(client.transactionOp().delete().withVersion(move.taskVersion())
                    .forPath(ZNodes.task(move.taskId())), TASK_MUST_BE_UNCHANGED));
        }
        commit(steps);
    }

    /**
     * A queued task that can never be assigned (undecodable, unreadable, too large, or with child znodes): its final
     * status, and out of the queue. {@code descendants} are the task znode's children (and theirs), deepest first,
     * deleted with it so that the queue is left clean in the same transaction.
     */
    public void failQueued(String taskId, TaskStatus status, int taskVersion, List<String> descendants)
            throws Exception {
        List<Step> steps = new ArrayList<>(descendants.size() + 2);
        steps.add(new Step(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                code -> Refusal.ALREADY_FINISHED));
        for (String path : descendants) {
            steps.add(new Step(client.transactionOp().delete().forPath(path), TASK_MUST_BE_UNCHANGED));
        }
        steps.add(new Step(client.transactionOp().delete().withVersion(taskVersion).forPath(ZNodes.task(taskId)),
                TASK_MUST_BE_UNCHANGED));
        commit(steps);
    }

    /**
     * Puts a dead worker's assignment back in the queue under the same id, with the next attempt's data. The
     * create-then-delete of {@code /running/<id>} asserts that no live session is running the task: it fails the
     * transaction if the marker exists (a draining worker still executing it).
     */
    public void requeue(String workerId, String taskId, byte[] nextAttemptData) throws Exception {
        commit(List.of(
                new Step(client.transactionOp().create().forPath(ZNodes.task(taskId), nextAttemptData),
                        code -> Refusal.TASK_CHANGED),
                new Step(client.transactionOp().delete().forPath(ZNodes.assignment(workerId, taskId)),
                        code -> Refusal.TASK_GONE),
                notRunning(taskId), unmark(taskId)));
    }

    /** A dead worker's assignment that must not run again (attempts used up, or undecodable): its final status. */
    public void failAssigned(String workerId, String taskId, TaskStatus status) throws Exception {
        commit(List.of(
                new Step(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                        code -> Refusal.ALREADY_FINISHED),
                new Step(client.transactionOp().delete().forPath(ZNodes.assignment(workerId, taskId)),
                        code -> Refusal.TASK_GONE),
                notRunning(taskId), unmark(taskId)));
    }

    /**
     * Removes a departed worker's empty assignment parent. ZooKeeper has no "check absent", so the create-and-delete
     * of {@code /workers/<w>} inside the transaction asserts it: if the worker registered meanwhile (a foreign worker
     * creates {@code /assign/<w>} before {@code /workers/<w>}), the create fails and nothing is removed.
     */
    public void removeAssignmentParent(String workerId) throws Exception {
        commit(List.of(
                new Step(client.transactionOp().create().forPath(ZNodes.worker(workerId)),
                        code -> Refusal.WORKER_PRESENT),
                new Step(client.transactionOp().delete().forPath(ZNodes.worker(workerId)),
                        code -> Refusal.WORKER_PRESENT),
                new Step(client.transactionOp().delete().forPath(ZNodes.assignments(workerId)),
                        code -> code == KeeperException.Code.NOTEMPTY ? Refusal.ASSIGN_PARENT_BUSY
                                : Refusal.NO_ASSIGN_PARENT)));
    }

    /**
     * Takes back a queued task someone asked for: its final {@code cancelled} status, out of the queue (at the version
     * read), and the request answered, in one transaction.
     */
    public void cancelQueued(String taskId, TaskStatus status, int taskVersion) throws Exception {
        commit(List.of(
                new Step(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                        code -> Refusal.ALREADY_FINISHED),
                new Step(client.transactionOp().delete().withVersion(taskVersion).forPath(ZNodes.task(taskId)),
                        TASK_MUST_BE_UNCHANGED),
                new Step(client.transactionOp().delete().forPath(ZNodes.cancel(taskId)), code -> Refusal.CANCEL_GONE)));
    }

    /**
     * Takes back a task assigned to a departed worker that someone asked for: instead of the queue, its final
     * {@code cancelled} status; like a re-queue, only if no live session is running it.
     */
    public void cancelAssigned(String workerId, String taskId, TaskStatus status) throws Exception {
        commit(List.of(
                new Step(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                        code -> Refusal.ALREADY_FINISHED),
                new Step(client.transactionOp().delete().forPath(ZNodes.assignment(workerId, taskId)),
                        code -> Refusal.TASK_GONE),
                notRunning(taskId), unmark(taskId),
                new Step(client.transactionOp().delete().forPath(ZNodes.cancel(taskId)), code -> Refusal.CANCEL_GONE)));
    }

    /** Forgets a request to cancel a task that has finished anyway, or never existed. */
    public void removeCancelRequest(String taskId) throws Exception {
        commit(List.of(new Step(client.transactionOp().delete().forPath(ZNodes.cancel(taskId)),
                code -> Refusal.CANCEL_GONE)));
    }

    /** Removes a persistent {@code /running} marker, which no session owns (foreign debris). */
    public void removeOwnerlessMarker(String taskId, int version) throws Exception {
        commit(List.of(new Step(client.transactionOp().delete().withVersion(version).forPath(ZNodes.running(taskId)),
                code -> Refusal.STILL_RUNNING)));
    }

    private Step notRunning(String taskId) throws Exception {
        return new Step(client.transactionOp().create().forPath(ZNodes.running(taskId)), code -> Refusal.STILL_RUNNING);
    }

    private Step unmark(String taskId) throws Exception {
        return new Step(client.transactionOp().delete().forPath(ZNodes.running(taskId)), code -> Refusal.STILL_RUNNING);
    }

    private void commit(List<Step> steps) throws Exception {
        List<CuratorOp> fenced = new ArrayList<>(steps.size() + 1);
        fenced.add(client.transactionOp().check().forPath(leadershipPath));
        steps.forEach(step -> fenced.add(step.op()));
        try {
            client.transaction().forOperations(fenced);
        } catch (KeeperException e) {
            int failed = Transactions.failedOp(e);
            if (failed == 0) {
                throw new RefusedException(Refusal.NOT_LEADER, e);
            }
            if (failed > 0) {
                throw new RefusedException(steps.get(failed - 1).meaning().of(e.code()), e);
            }
            throw e; // not about an operation: a lost connection, an auth failure
        }
    }
}
