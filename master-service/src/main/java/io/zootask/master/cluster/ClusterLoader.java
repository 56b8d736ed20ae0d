package io.zootask.master.cluster;

import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns znodes into the {@link ClusterModel}: all of them at once ({@link #load}), then one watch event at a time
 * ({@link #apply}). The master watches the {@link #WATCHED} parents recursively before it loads, so anything that
 * changes after the load arrives as an event and is applied after it.
 */
public final class ClusterLoader {

    private static final Logger log = LoggerFactory.getLogger(ClusterLoader.class);
    /** The parents whose children make up the model. */
    public static final List<String> WATCHED = List.of(ZNodes.WORKERS, ZNodes.TASKS, ZNodes.ASSIGN, ZNodes.RUNNING,
            ZNodes.CANCEL);

    private final CuratorFramework client;
    private final ClusterModel model;

    public ClusterLoader(CuratorFramework client, ClusterModel model) {
        this.client = client;
        this.model = model;
    }

    /** Replaces the model with what ZooKeeper holds now. */
    public void load() throws Exception {
        model.clear();
        for (String worker : validNames(ZNodes.WORKERS)) {
            readWorker(worker);
        }
        validNames(ZNodes.TASKS).forEach(model::addQueued);
        validNames(ZNodes.RUNNING).forEach(model::addRunning);
        validNames(ZNodes.CANCEL).forEach(model::addCancelRequest);
        for (String worker : validNames(ZNodes.ASSIGN)) {
            model.addAssignmentParent(worker);
            try {
                validNames(ZNodes.assignments(worker)).forEach(t -> model.addAssignment(worker, t));
            } catch (KeeperException.NoNodeException gone) {
                model.removeAssignmentParent(worker);
            }
        }
    }

    /** Applies one event of the recursive watches to the model; names zootask does not use are ignored. */
    public void apply(Watcher.Event.EventType type, String path) {
        boolean created = type == Watcher.Event.EventType.NodeCreated;
        boolean deleted = type == Watcher.Event.EventType.NodeDeleted;
        String parent = ZNodes.parentOf(path);
        String name = ZNodes.nameOf(path);
        if (!ZNodes.isValidName(name)) {
            log.warn("ignoring {}: not a name zootask uses", path);
            return;
        }
        switch (parent) {
            case ZNodes.WORKERS -> {
                if (deleted) {
                    model.removeWorker(name);
                } else {
                    readWorker(name);
                }
            }
            case ZNodes.TASKS -> {
                if (created) {
                    model.addQueued(name);
                } else if (deleted) {
                    model.removeQueued(name);
                } else if (type == Watcher.Event.EventType.NodeDataChanged) {
                    model.queue().reread(name);
                }
            }
            case ZNodes.CANCEL -> {
                if (created) {
                    model.addCancelRequest(name);
                } else if (deleted) {
                    model.removeCancelRequest(name);
                }
            }
            case ZNodes.RUNNING -> {
                if (created) {
                    model.addRunning(name);
                } else if (deleted) {
                    model.removeRunning(name);
                }
            }
            case ZNodes.ASSIGN -> {
                if (created) {
                    model.addAssignmentParent(name);
                } else if (deleted) {
                    model.removeAssignmentParent(name);
                }
            }
            default -> {
                if (ZNodes.parentOf(parent).equals(ZNodes.ASSIGN)) {
                    String worker = ZNodes.nameOf(parent);
                    if (created) {
                        model.addAssignment(worker, name);
                    } else if (deleted) {
                        model.removeAssignment(worker, name);
                    }
                }
            }
        }
    }

    /** Only ephemeral entries are workers: a persistent one outlives any process and would swallow tasks. */
    private void readWorker(String workerId) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(ZNodes.worker(workerId));
            if (stat.getEphemeralOwner() == 0) {
                model.removeWorker(workerId);
                log.warn("ignoring /workers/{}: not ephemeral, so no live worker stands behind it", workerId);
                return;
            }
            model.putWorker(ProtocolCodec.decodeWorker(workerId, data));
        } catch (KeeperException.NoNodeException gone) {
            model.removeWorker(workerId);
        } catch (Exception e) {
            log.warn("cannot read worker {}: {}", workerId, e.toString());
        }
    }

    private List<String> validNames(String parent) throws Exception {
        return client.getChildren().forPath(parent).stream().filter(ZNodes::isValidName).toList();
    }
}
