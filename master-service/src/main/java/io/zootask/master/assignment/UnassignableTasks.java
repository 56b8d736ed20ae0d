package io.zootask.master.assignment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes out of the queue the tasks that no worker can ever be given: data nobody can decode, data the master may not
 * read, data too large to copy into an assignment, or a task znode with children of its own. Left in the queue, each
 * would be planned again at every reconcile, oldest first, and enough of them would hold every free slot.
 *
 * <p>Each ends with a {@code failed} status saying why, written with the task's removal (and of any children under
 * it) in one fenced transaction. Where even that is refused, the task is skipped until the next full reload, with a
 * WARN and the {@code zootask.master.tasks.skipped} metric.
 */
final class UnassignableTasks {

    private static final Logger log = LoggerFactory.getLogger(UnassignableTasks.class);
    /** Children under a task znode that are removed with it; beyond this the task is skipped, not failed. */
    static final int MAX_DESCENDANTS = 1_000;

    private final CuratorFramework client;
    private final FencedWriter writer;
    private final ClusterModel model;
    private final String masterId;
    private final Clock clock;
    private final Counter failed;
    private final Counter skipped;

    UnassignableTasks(CuratorFramework client, FencedWriter writer, ClusterModel model, String masterId,
                             Clock clock, MeterRegistry meters) {
        this.client = client;
        this.writer = writer;
        this.model = model;
        this.masterId = masterId;
        this.clock = clock;
        this.failed = meters.counter("zootask.master.tasks.failed");
        this.skipped = meters.counter("zootask.master.tasks.skipped");
    }

    /**
     * Ends the queued task {@code taskId} as failed with {@code why}. Its status carries no copy of the task's data
     * (which may be what made it unassignable), only the reason.
     *
     * @param read the task's stat when its data was read and judged, or null if it could not be read
     */
    void fail(String taskId, String why, Stat read) {
        model.removeQueued(taskId);
        try {
            Stat stat;
            boolean hidden = false;
            try {
                stat = client.checkExists().forPath(ZNodes.task(taskId));
            } catch (KeeperException.NoAuthException e) {
                // Even its stat is hidden from us (ZooKeeper checks READ for exists too). Deleting it needs only our
                // rights on /tasks; if it has children, the delete is refused and the task is skipped.
                stat = null;
                hidden = true;
            }
            if (stat == null && !hidden) {
                return; // gone meanwhile
            }
            if (stat != null && read != null && stat.getVersion() != read.getVersion()) {
                model.addQueued(taskId); // rewritten since it was judged: judge it again
                return;
            }
            int version = hidden ? -1 : stat.getVersion();
            List<String> descendants = hidden || stat.getNumChildren() == 0 ? List.of()
                    : descendantsDeepestFirst(taskId);
            if (descendants == null) {
                skip(taskId, why + "; and it has more than " + MAX_DESCENDANTS + " znodes under it to remove");
                return;
            }
            String message = descendants.isEmpty() ? why
                    : why + "; the " + descendants.size() + " znode(s) under it were removed with it";
            writer.failQueued(taskId, TaskStatus.failure(null, masterId, clock.instant(), message), version,
                    descendants);
            failed.increment();
            log.info("task {} failed: {}", taskId, message);
        } catch (FencedWriter.RefusedException e) {
            if (e.refusal() == FencedWriter.Refusal.TASK_GONE) {
                return;
            }
            if (e.refusal() == FencedWriter.Refusal.TASK_CHANGED) {
                model.addQueued(taskId); // rewritten meanwhile: plan it again with its new data
                return;
            }
            skip(taskId, why + "; and its failure could not be written: " + e.getMessage());
        } catch (Exception e) {
            skip(taskId, why + "; and its failure could not be written: " + e);
        }
    }

    private void skip(String taskId, String why) {
        skipped.increment();
        log.warn("skipping queued task {} until the next reload: {}", taskId, why);
    }

    /** The task znode's descendants, deepest first, or null if there are more than {@link #MAX_DESCENDANTS}. */
    private List<String> descendantsDeepestFirst(String taskId) throws Exception {
        List<String> found = new ArrayList<>();
        if (!collect(ZNodes.task(taskId), found)) {
            return null;
        }
        return found;
    }

    private boolean collect(String path, List<String> found) throws Exception {
        List<String> children;
        try {
            children = client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException gone) {
            return true;
        }
        for (String child : children) {
            String childPath = ZNodes.childOf(path, child);
            if (!collect(childPath, found) || found.size() >= MAX_DESCENDANTS) {
                return false;
            }
            found.add(childPath);
        }
        return true;
    }
}
