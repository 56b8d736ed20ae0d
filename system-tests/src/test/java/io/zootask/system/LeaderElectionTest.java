package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** One active master, standbys taking over, and recovery of the work of workers that died meanwhile. */
@Timeout(180)
class LeaderElectionTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gateway();
        zk = cluster.plainClient();
    }

    @Test
    void theStandbyTakesOverDrainsTheQueueAndRecoversTasksOfWorkersThatDiedWithoutALeader() throws Exception {
        ConfigurableApplicationContext a = cluster.master("master-a");
        await().atMost(seconds(20)).until(() -> "master-a".equals(activeMaster()));
        ConfigurableApplicationContext b = cluster.master("master-b");
        await().atMost(seconds(20)).until(() -> gateway.get("/cluster").json().get("masters").size() == 2);
        JsonNode masters = gateway.get("/cluster").json().get("masters");
        assertThat(masters.get(0).get("role").asString()).isEqualTo("leader");
        assertThat(masters.get(1).get("role").asString()).isEqualTo("standby");

        // A worker registered by another program, with one slot; it takes task 1, task 2 waits.
        ZooKeeper handWorker = cluster.plainClient();
        handWorker.create("/workers/hand", "Idle".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL);
        handWorker.create("/assign/hand", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String stranded = gateway.submit("{\"command\":[\"echo\",\"stranded\"]}");
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/hand/" + stranded, false) != null);
        String queued = gateway.submit("{\"command\":[\"echo\",\"queued\"]}");

        // The active master stops: the standby takes over at once and drains the queue onto a new worker.
        a.close();
        await().atMost(seconds(10)).until(() -> "master-b".equals(activeMaster()));
        cluster.worker("real", 2);
        JsonNode drained = gateway.awaitFinished(queued, seconds(30));
        assertThat(drained.get("output").asString()).isEqualTo("queued\n");

        // Now no master at all, and the hand worker dies with task 1 still assigned to it.
        b.close();
        await().atMost(seconds(10)).until(() -> zk.exists("/master", false) == null);
        handWorker.close();
        await().atMost(seconds(10)).until(() -> zk.exists("/workers/hand", false) == null);
        assertThat(zk.exists("/assign/hand/" + stranded, false)).isNotNull();

        // A new leader recovers it: back to the queue with attempt 2, run by the real worker.
        cluster.master("master-c", "zootask.master.assign-parent-grace=6s");
        JsonNode recovered = gateway.awaitFinished(stranded, seconds(30));
        assertThat(recovered.get("state").asString()).isEqualTo("done");
        assertThat(recovered.get("output").asString()).isEqualTo("stranded\n");
        assertThat(recovered.get("attempt").asInt()).isEqualTo(2);
        assertThat(recovered.get("worker").asString()).startsWith("real-");
        // its empty parent goes once the grace is over (the session timeout here)
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/hand", false) == null);
    }

    @Test
    void aTaskFailsWithWorkerLostWhenItsAttemptsAreUsedUp() throws Exception {
        cluster.master("m");
        await().atMost(seconds(20)).until(() -> "m".equals(activeMaster())); // the leader has laid down the roots
        ZooKeeper handWorker = cluster.plainClient();
        handWorker.create("/workers/doomed", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        handWorker.create("/assign/doomed", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String id = gateway.submit("{\"command\":[\"true\"],\"maxAttempts\":1}");
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/doomed/" + id, false) != null);
        handWorker.close();
        JsonNode lost = gateway.awaitFinished(id, seconds(30));
        assertThat(lost.get("state").asString()).isEqualTo("failed");
        assertThat(lost.get("message").asString()).isEqualTo("worker lost");
        assertThat(lost.get("attempt").asInt()).isEqualTo(1);
    }

    private String activeMaster() {
        JsonNode master = gateway.get("/cluster").json().get("master");
        return master == null || master.isNull() ? null : master.get("id").asString();
    }
}
