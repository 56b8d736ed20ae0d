package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Someone who knows only the znode layout (the seeds' zkCli walk-throughs) interoperates with zootask, using the
 * plain ZooKeeper client: no Curator, no zootask code. Paths are spelled out here on purpose: they are the contract.
 */
@Timeout(120)
class PlainProtocolInteropTest {

    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        cluster.master("m1");
        gateway = cluster.gateway();
        zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> ZootaskCluster.activeMaster(zk) != null);
    }

    @Test
    void aTaskCreatedAsWithZkCliRunsAndGetsAStatus() throws Exception {
        cluster.worker("w", 1);
        // [zk] create -s /tasks/task- "echo hi"
        String id = ZootaskCluster.createTaskLikeZkCli(zk, "echo hi");
        JsonNode status = ZootaskCluster.awaitStatus(zk, id, seconds(30));
        assertThat(status.get("state").asString()).isEqualTo("done");
        assertThat(status.get("output").asString()).isEqualTo("hi\n");
        assertThat(zk.exists("/tasks/" + id, false)).isNull();
        assertThat(gateway.task(id).get("state").asString()).isEqualTo("done");
    }

    @Test
    void garbageInTheQueueBecomesAFailedStatusAndRealTasksStillRun() throws Exception {
        cluster.worker("w", 1);
        zk.create("/tasks/task-garbage", "{\"command\": 42".getBytes(StandardCharsets.UTF_8), OPEN,
                CreateMode.PERSISTENT);
        zk.create("/tasks/task-empty", new byte[0], OPEN, CreateMode.PERSISTENT);
        String real = gateway.submit("{\"command\":[\"echo\",\"still works\"]}");

        JsonNode garbage = gateway.awaitFinished("task-garbage", seconds(30));
        assertThat(garbage.get("state").asString()).isEqualTo("failed");
        assertThat(garbage.get("message").asString()).contains("malformed task").contains("JSON");
        assertThat(gateway.awaitFinished("task-empty", seconds(30)).get("message").asString()).contains("empty");
        assertThat(gateway.awaitFinished(real, seconds(30)).get("output").asString()).isEqualTo("still works\n");
    }

    @Test
    void aWorkerRegisteredByHandReceivesAnAssignmentAndCompletesItByHand() throws Exception {
        // [zk] create -e /workers/w1 "Idle"      (unknown data: one slot)
        // [zk] create /assign/w1 ""
        zk.create("/workers/w1", "Idle".getBytes(StandardCharsets.UTF_8), OPEN, CreateMode.EPHEMERAL);
        zk.create("/assign/w1", new byte[0], OPEN, CreateMode.PERSISTENT);

        String first = gateway.submit("{\"command\":[\"echo\",\"by hand\"]}");
        String second = gateway.submit("{\"command\":[\"echo\",\"waits\"]}");
        await().atMost(seconds(20)).until(() -> zk.getChildren("/assign/w1", false).contains(first));
        JsonNode assigned = gateway.task(first);
        assertThat(assigned.get("state").asString()).isEqualTo("assigned");
        assertThat(assigned.get("worker").asString()).isEqualTo("w1");
        // its one slot is taken: the second task waits in the queue
        assertThat(zk.getChildren("/assign/w1", false)).containsExactly(first);
        assertThat(gateway.task(second).get("state").asString()).isEqualTo("queued");
        // the assignment carries the task's data
        assertThat(new String(zk.getData("/assign/w1/" + first, false, null), StandardCharsets.UTF_8))
                .contains("\"by hand\"");

        // [zk] create /status/task-... "done" ; delete /assign/w1/task-...
        zk.create("/status/" + first, "done".getBytes(StandardCharsets.UTF_8), OPEN, CreateMode.PERSISTENT);
        zk.delete("/assign/w1/" + first, -1);
        assertThat(gateway.task(first).get("state").asString()).isEqualTo("done");

        // the freed slot takes the next task
        await().atMost(seconds(20)).until(() -> zk.getChildren("/assign/w1", false).contains(second));
    }

    @Test
    void aWorkerThatRegistersBeforeItsAssignParentStillGetsWork() throws Exception {
        zk.create("/workers/w2", new byte[0], OPEN, CreateMode.EPHEMERAL);
        String id = gateway.submit("{\"command\":[\"true\"]}");
        // the master creates /assign/w2 itself when the hand worker has not yet
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/w2/" + id, false) != null);
    }

    @Test
    void theActiveMasterIsVisibleInSlashMaster() throws Exception {
        JsonNode master = Gateway.JSON.readTree(new String(zk.getData("/master", false, null),
                StandardCharsets.UTF_8));
        assertThat(master.get("id").asString()).isEqualTo("m1");
        assertThat(zk.exists("/master", false).getEphemeralOwner()).isNotZero();
    }
}
