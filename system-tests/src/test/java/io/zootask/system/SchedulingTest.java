package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The master's side of priorities, delays, routing and cancellation, through the znode protocol alone: tasks are
 * written into {@code /tasks} as a foreign client would, and workers registered by hand, so each decision of the
 * master is seen exactly where it lands.
 */
@Timeout(180)
class SchedulingTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
    }

    private ConfigurableApplicationContext master(String name) {
        ConfigurableApplicationContext master = cluster.master(name);
        await().atMost(seconds(20)).until(() -> name.equals(ZootaskCluster.activeMaster(zk)));
        return master;
    }

    private void task(String id, String json) throws Exception {
        zk.create("/tasks/" + id, json.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
    }

    /** A worker of another program: one slot, and labels if given. */
    private ZooKeeper handWorker(String id, String labels) throws Exception {
        ZooKeeper worker = cluster.plainClient();
        String data = labels == null ? "Idle" : "{\"slots\":1,\"labels\":" + labels + "}";
        worker.create("/assign/" + id, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        worker.create("/workers/" + id, data.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL);
        return worker;
    }

    private List<String> assignedTo(String worker) throws Exception {
        return zk.getChildren("/assign/" + worker, false);
    }

    /** What a hand worker does when it is done: the status, then the assignment goes. */
    private void complete(ZooKeeper worker, String workerId, String task) throws Exception {
        worker.create("/status/" + task, "done".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        worker.delete("/assign/" + workerId + "/" + task, -1);
    }

    private JsonNode status(String task) throws Exception {
        return ZootaskCluster.awaitStatus(zk, task, seconds(10));
    }

    @Test
    void higherPriorityRunsFirstThenOldestFirst() throws Exception {
        master("m1");
        task("task-0000000001", "{\"command\":[\"true\"],\"priority\":1}");
        task("task-0000000002", "{\"command\":[\"true\"],\"priority\":9}");
        task("task-0000000003", "{\"command\":[\"true\"]}");
        task("task-0000000004", "{\"command\":[\"true\"],\"priority\":9}");
        ZooKeeper worker = handWorker("w1", null);

        for (String expected : List.of("task-0000000002", "task-0000000004", "task-0000000003", "task-0000000001")) {
            await().atMost(seconds(10)).until(() -> assignedTo("w1").size() == 1);
            assertThat(assignedTo("w1")).containsExactly(expected);
            complete(worker, "w1", expected);
        }
    }

    @Test
    void aTaskRunsOnlyWhereItsLabelsAreAndWaitsUntilSuchAWorkerComes() throws Exception {
        master("m1");
        handWorker("cpu", null);
        task("task-0000000001", "{\"command\":[\"true\"],\"requires\":{\"pool\":\"gpu\"}}");
        task("task-0000000002", "{\"command\":[\"true\"]}");
        await().atMost(seconds(10)).until(() -> assignedTo("cpu").contains("task-0000000002"));
        assertThat(zk.exists("/tasks/task-0000000001", false)).isNotNull(); // the plain worker does not take it

        handWorker("gpu", "{\"pool\":\"gpu\",\"zone\":\"eu\"}");
        await().atMost(seconds(10)).until(() -> assignedTo("gpu").contains("task-0000000001"));
    }

    @Test
    void aDelayedTaskKeepsItsScheduleAcrossAFailover() throws Exception {
        ConfigurableApplicationContext first = master("m1");
        cluster.master("m2"); // a standby
        ZooKeeper worker = handWorker("w1", null);
        Instant notBefore = Instant.now().plusSeconds(5);
        task("task-0000000001", "{\"command\":[\"true\"],\"notBefore\":\"" + notBefore + "\"}");
        task("task-0000000002", "{\"command\":[\"true\"]}");
        await().atMost(seconds(10)).until(() -> assignedTo("w1").contains("task-0000000002"));
        assertThat(assignedTo("w1")).doesNotContain("task-0000000001");
        complete(worker, "w1", "task-0000000002"); // its one slot is free again

        first.close(); // the standby takes over with the schedule in the task's data
        await().atMost(seconds(20)).until(() -> "m2".equals(ZootaskCluster.activeMaster(zk)));
        await().atMost(seconds(20)).until(() -> assignedTo("w1").contains("task-0000000001"));
        Stat assigned = zk.exists("/assign/w1/task-0000000001", false);
        // a znode's ctime has whole milliseconds only
        assertThat(Instant.ofEpochMilli(assigned.getCtime()))
                .isAfterOrEqualTo(notBefore.truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void aQueuedTaskIsCancelledAtOnceThroughItsCancelZnode() throws Exception {
        master("m1");
        task("task-0000000001", "{\"command\":[\"true\"],\"requires\":{\"pool\":\"none-such\"}}");
        await().atMost(seconds(10)).until(() -> zk.exists("/tasks/task-0000000001", false) != null);

        long asked = System.nanoTime();
        zk.create("/cancel/task-0000000001", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        JsonNode status = status("task-0000000001");
        assertThat(status.get("state").asString()).isEqualTo("cancelled");
        // at once, not at some later look; how fast is the benchmark's to say (cancel_p99_ms)
        assertThat((System.nanoTime() - asked) / 1_000_000).isLessThan(10_000);
        assertThat(zk.exists("/tasks/task-0000000001", false)).isNull();
        await().atMost(seconds(5)).until(() -> zk.exists("/cancel/task-0000000001", false) == null);
    }

    @Test
    void aCancelAskedForWhileNoMasterLeadsTakesEffectWhenOneDoes() throws Exception {
        zk.create("/tasks", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/cancel", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        task("task-0000000001", "{\"command\":[\"true\"]}");
        zk.create("/cancel/task-0000000001", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        master("m1");
        handWorker("w1", null);

        assertThat(status("task-0000000001").get("state").asString()).isEqualTo("cancelled");
        assertThat(assignedTo("w1")).isEmpty();
    }

    @Test
    void theTaskOfAWorkerThatDiedIsCancelledInsteadOfRequeued() throws Exception {
        master("m1");
        ZooKeeper worker = handWorker("w1", null);
        task("task-0000000001", "{\"command\":[\"sleep\",\"60\"]}");
        await().atMost(seconds(10)).until(() -> assignedTo("w1").contains("task-0000000001"));
        zk.create("/cancel/task-0000000001", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        // a hand worker knows nothing of /cancel: the request waits for it, until it dies
        worker.close();

        assertThat(status("task-0000000001").get("state").asString()).isEqualTo("cancelled");
        assertThat(zk.exists("/tasks/task-0000000001", false)).isNull();
        await().atMost(seconds(5)).until(() -> zk.exists("/cancel/task-0000000001", false) == null);
    }

    @Test
    void aLostExecutionIsRetriedAfterItsBackoffAcrossAFailover() throws Exception {
        ConfigurableApplicationContext first = master("m1");
        cluster.master("m2"); // a standby
        ZooKeeper doomed = handWorker("doomed", null);
        task("task-0000000001", "{\"command\":[\"true\"],\"retry\":{\"maxAttempts\":2,"
                + "\"initialIntervalSeconds\":4}}");
        await().atMost(seconds(10)).until(() -> assignedTo("doomed").contains("task-0000000001"));
        doomed.close();
        await().atMost(seconds(10)).until(() -> zk.exists("/tasks/task-0000000001", false) != null);
        Instant lostAt = Instant.ofEpochMilli(zk.exists("/tasks/task-0000000001", false).getCtime());
        JsonNode requeued = Gateway.JSON.readTree(new String(zk.getData("/tasks/task-0000000001", false, null),
                StandardCharsets.UTF_8));
        assertThat(requeued.get("attempt").asInt()).isEqualTo(2);
        assertThat(requeued.get("attempts").get(0).get("message").asString()).isEqualTo("worker lost");

        first.close();
        handWorker("w2", null);
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/w2/task-0000000001", false) != null);
        Instant retriedAt = Instant.ofEpochMilli(zk.exists("/assign/w2/task-0000000001", false).getCtime());
        assertThat(retriedAt).isAfterOrEqualTo(lostAt.plusSeconds(4).minusMillis(50));
    }
}
