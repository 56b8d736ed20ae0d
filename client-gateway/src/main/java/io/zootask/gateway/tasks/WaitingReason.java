package io.zootask.gateway.tasks;

import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.Routing;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

/**
 * Why a queued task does not run yet, when the gateway can tell from ZooKeeper: no live worker carries the labels it
 * {@code requires}, or its {@code notBefore} is still ahead. The master decides; this only explains.
 */
@Component
class WaitingReason {

    private final ZooKeeperAccess zk;
    private final Clock clock;

    WaitingReason(ZooKeeperAccess zk, Clock clock) {
        this.zk = zk;
        this.clock = clock;
    }

    /**
     * The live workers, read from {@code /workers} at most once, and only if a task needs them: one request that shows
     * many tasks (a page of {@code GET /tasks}) shares one.
     */
    Supplier<List<WorkerInfo>> liveWorkers() {
        return new Supplier<>() {
            private List<WorkerInfo> workers;

            @Override
            public List<WorkerInfo> get() {
                if (workers == null) {
                    workers = read();
                }
                return workers;
            }
        };
    }

    /** The note for a queued task, if there is something to say. */
    Optional<String> of(TaskView queued, Supplier<List<WorkerInfo>> workers) {
        if (queued.requires() != null && !queued.requires().isEmpty()
                && workers.get().stream().noneMatch(worker -> Routing.runsOn(queued.requires(), worker))) {
            return Optional.of("waiting for a worker with " + Routing.describe(queued.requires()));
        }
        if (queued.notBefore() != null && queued.notBefore().isAfter(clock.instant())) {
            return Optional.of("waiting until " + queued.notBefore());
        }
        return Optional.empty();
    }

    private List<WorkerInfo> read() {
        CuratorFramework client = zk.client();
        try {
            return zk.call(() -> {
                List<WorkerInfo> workers = new ArrayList<>();
                for (String id : ZooKeeperClients.childrenOrEmpty(client, ZNodes.WORKERS)) {
                    try {
                        workers.add(ProtocolCodec.decodeWorker(id,
                                client.getData().forPath(ZNodes.childOf(ZNodes.WORKERS, id))));
                    } catch (KeeperException.NoNodeException gone) {
                        // left while we looked
                    } catch (KeeperException.NoAuthException foreign) {
                        workers.add(WorkerInfo.foreign(id)); // registered by a client whose ACL we may not read
                    }
                }
                return workers;
            });
        } catch (KeeperException e) {
            throw new IllegalStateException("listing the workers: " + e.code(), e);
        }
    }
}
