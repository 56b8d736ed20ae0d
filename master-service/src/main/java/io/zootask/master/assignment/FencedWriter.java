package io.zootask.master.assignment;

import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * Every write the active master makes, each ONE transaction that starts with a check of its own election znode: a
 * master whose session is gone (and so whose latch node is gone) cannot change anything, whatever its stale picture
 * of the cluster says.
 */
public final class FencedWriter {

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
        commit(client.transactionOp().check().forPath(ZNodes.worker(workerId)),
                client.transactionOp().create().forPath(ZNodes.assignment(workerId, taskId), data),
                client.transactionOp().delete().withVersion(taskVersion).forPath(ZNodes.task(taskId)));
    }

    /** One queued task for one worker, with the data and version read from {@code /tasks}. */
    public record Move(String workerId, String taskId, byte[] data, int taskVersion) {
    }

    /**
     * Many assignments in ONE transaction: one fence check, one check per worker, and a create + delete per task.
     * ZooKeeper commits (and syncs to disk) the whole batch at once; if any part no longer holds, none of it lands.
     */
    public void assignAll(List<Move> moves) throws Exception {
        List<CuratorOp> ops = new ArrayList<>(moves.size() * 2 + 4);
        java.util.Set<String> workersChecked = new java.util.HashSet<>();
        for (Move move : moves) {
            if (workersChecked.add(move.workerId())) {
                ops.add(client.transactionOp().check().forPath(ZNodes.worker(move.workerId())));
            }
            ops.add(client.transactionOp().create().forPath(ZNodes.assignment(move.workerId(), move.taskId()),
                    move.data()));
            ops.add(client.transactionOp().delete().withVersion(move.taskVersion()).forPath(ZNodes.task(move.taskId())));
        }
        commit(ops.toArray(CuratorOp[]::new));
    }

    /** A queued task that can never run (undecodable data): its final status, and out of the queue. */
    public void failQueued(String taskId, TaskStatus status, int taskVersion) throws Exception {
        commit(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                client.transactionOp().delete().withVersion(taskVersion).forPath(ZNodes.task(taskId)));
    }

    /**
     * Puts a dead worker's assignment back in the queue under the same id, with the next attempt's data. The
     * create-then-delete of {@code /running/<id>} asserts that no live session is running the task: it fails the
     * transaction if the marker exists (a draining worker still executing it).
     */
    public void requeue(String workerId, String taskId, byte[] nextAttemptData) throws Exception {
        commit(client.transactionOp().create().forPath(ZNodes.task(taskId), nextAttemptData),
                client.transactionOp().delete().forPath(ZNodes.assignment(workerId, taskId)),
                client.transactionOp().create().forPath(ZNodes.running(taskId)),
                client.transactionOp().delete().forPath(ZNodes.running(taskId)));
    }

    /** A dead worker's assignment that must not run again (attempts used up, or undecodable): its final status. */
    public void failAssigned(String workerId, String taskId, TaskStatus status) throws Exception {
        commit(client.transactionOp().create().forPath(ZNodes.status(taskId), ProtocolCodec.encode(status)),
                client.transactionOp().delete().forPath(ZNodes.assignment(workerId, taskId)),
                client.transactionOp().create().forPath(ZNodes.running(taskId)),
                client.transactionOp().delete().forPath(ZNodes.running(taskId)));
    }

    /** Removes a dead worker's empty assignment parent; fails (NotEmpty) if anything is still under it. */
    public void removeAssignmentParent(String workerId) throws Exception {
        commit(client.transactionOp().delete().forPath(ZNodes.assignments(workerId)));
    }

    private void commit(CuratorOp... ops) throws Exception {
        List<CuratorOp> fenced = new ArrayList<>(ops.length + 1);
        fenced.add(client.transactionOp().check().forPath(leadershipPath));
        fenced.addAll(List.of(ops));
        client.transaction().forOperations(fenced);
    }
}
