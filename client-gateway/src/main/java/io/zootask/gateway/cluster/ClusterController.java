package io.zootask.gateway.cluster;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.MasterInfo;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RunningMarker;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "cluster", description = "Masters, workers and the queue")
class ClusterController {

    private final ZooKeeperAccess zk;

    ClusterController(ZooKeeperAccess zk) {
        this.zk = zk;
    }

    @Operation(summary = "The cluster as ZooKeeper sees it",
            description = "The active master, the standbys (Curator election participants in order), each worker"
                    + " with its slots, labels (and reserved, if it takes only tasks that require its labels), the"
                    + " tasks assigned to and running on it, and the queue depth.")
    @GetMapping(path = "/cluster", produces = MediaType.APPLICATION_JSON_VALUE) // see TaskController
    ClusterView cluster() throws KeeperException {
        CuratorFramework client = zk.client();
        return zk.call(() -> {
            MasterInfo master = null;
            try {
                master = ProtocolCodec.decodeMaster(client.getData().forPath(ZNodes.MASTER));
            } catch (KeeperException.NoNodeException none) {
                // no leader right now
            }
            List<ClusterView.Master> masters = new ArrayList<>();
            List<String> participants = new ArrayList<>(ZooKeeperClients.childrenOrEmpty(client, ZNodes.ELECTION));
            participants.sort(ZNodes.TASK_ORDER);
            for (String node : participants) {
                try {
                    String id = new String(client.getData().forPath(ZNodes.childOf(ZNodes.ELECTION, node)),
                            StandardCharsets.UTF_8);
                    masters.add(new ClusterView.Master(id, masters.isEmpty() ? "leader" : "standby"));
                } catch (KeeperException.NoNodeException gone) {
                    // left while we looked
                }
            }
            Map<String, List<String>> runningByWorker = new HashMap<>();
            for (String task : ZooKeeperClients.childrenOrEmpty(client, ZNodes.RUNNING)) {
                try {
                    RunningMarker marker = ProtocolCodec.decodeRunning(
                            client.getData().forPath(ZNodes.childOf(ZNodes.RUNNING, task)));
                    if (marker.worker() != null) {
                        runningByWorker.computeIfAbsent(marker.worker(), w -> new ArrayList<>()).add(task);
                    }
                } catch (KeeperException.NoNodeException finished) {
                    // finished while we looked
                }
            }
            List<ClusterView.Worker> workers = new ArrayList<>();
            List<String> workerIds = new ArrayList<>(ZooKeeperClients.childrenOrEmpty(client, ZNodes.WORKERS));
            workerIds.sort(null);
            for (String id : workerIds) {
                try {
                    WorkerInfo info = ProtocolCodec.decodeWorker(id,
                            client.getData().forPath(ZNodes.childOf(ZNodes.WORKERS, id)));
                    Stat assign = client.checkExists().forPath(ZNodes.childOf(ZNodes.ASSIGN, id));
                    workers.add(new ClusterView.Worker(id, info.host(), info.pid(), info.slots(),
                            assign == null ? 0 : assign.getNumChildren(),
                            runningByWorker.getOrDefault(id, List.of()), info.version(), info.labels(),
                            info.isReserved() ? Boolean.TRUE : null));
                } catch (KeeperException.NoNodeException gone) {
                    // left while we looked
                }
            }
            Stat tasks = client.checkExists().forPath(ZNodes.TASKS);
            return new ClusterView(master, masters, workers, tasks == null ? 0 : tasks.getNumChildren(),
                    client.getZookeeperClient().getCurrentConnectionString());
        });
    }
}
