package io.zootask.worker.completion;

import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RunningMarker;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.ZNodes;
import io.zootask.worker.registration.Registration;
import java.time.Clock;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ephemeral {@code /running/<id>} markers of this worker's tasks: ONE transaction checks that we are still
 * registered and the assignment still ours, and creates the marker under our session. Its hazard is the retried
 * write: Curator retries a transaction whose reply was lost, so "exists" may mean "ours, from the first try".
 */
final class RunningMarks {

    private static final Logger log = LoggerFactory.getLogger(RunningMarks.class);

    private final CuratorFramework client;
    private final GroupCommitter committer;
    private final Clock clock;

    RunningMarks(CuratorFramework client, GroupCommitter committer, Clock clock) {
        this.client = client;
        this.committer = committer;
        this.clock = clock;
    }

    /** What became of an attempt to mark a task running. */
    enum Mark {
        MARKED,
        /** ZooKeeper says the task is no longer ours: stop running it */
        NOT_OURS,
        /** the write failed ambiguously: the marker may have landed */
        UNKNOWN
    }

    Mark mark(Registration registration, String taskId, TaskSpec task) {
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

    boolean ownedBy(String path, long sessionId) {
        try {
            Stat stat = client.checkExists().forPath(path);
            return stat != null && stat.getEphemeralOwner() == sessionId;
        } catch (Exception e) {
            return false;
        }
    }
}
