package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The active master's session expires in the middle of assigning a burst of tasks: the standby takes over, and no
 * task is assigned (or run) twice, because every assignment transaction checks the election node of the session
 * that won the election.
 */
@Timeout(180)
class FencingTest {

    private static final int TASKS = 300;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
    }

    @Test
    void aMasterWhoseSessionExpiresMidAssignmentAssignsNothingTwice() throws Exception {
        ConfigurableApplicationContext first = cluster.master("first");
        ZooKeeper zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/master", false) != null);
        ConfigurableApplicationContext second = cluster.master("second");
        ConfigurableApplicationContext w1 = cluster.worker("w1", 8);
        ConfigurableApplicationContext w2 = cluster.worker("w2", 8);
        await().atMost(seconds(20)).until(() -> zk.getChildren("/workers", false).size() == 2);

        for (int i = 0; i < TASKS; i++) {
            zk.create("/tasks/task-", "true".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL);
        }
        await().atMost(seconds(30)).until(() -> zk.getChildren("/status", false).size() >= 20);
        expireSessionOnTheServer(first.getBean(CuratorFramework.class));

        await().atMost(seconds(90)).until(() -> zk.getChildren("/status", false).size() == TASKS);
        await().atMost(seconds(20)).until(() -> zk.getChildren("/tasks", false).isEmpty());
        for (String id : zk.getChildren("/status", false)) {
            JsonNode status = Gateway.JSON.readTree(new String(zk.getData("/status/" + id, false, null),
                    StandardCharsets.UTF_8));
            assertThat(status.get("state").asString()).isEqualTo("done");
            assertThat(status.get("attempt").asInt()).isEqualTo(1);
        }
        double assigned = count(first, "zootask.master.tasks.assigned") + count(second, "zootask.master.tasks.assigned");
        double executed = count(w1, "zootask.worker.tasks.finished") + count(w2, "zootask.worker.tasks.finished");
        // every task ran once; the one transaction (of at most 100 assignments) the expired master had in flight may
        // have landed without its answer reaching it, so the masters may have counted fewer, never more
        assertThat(executed).isEqualTo(TASKS);
        assertThat(assigned).isBetween(TASKS - 100.0, (double) TASKS);
        JsonNode leader = Gateway.JSON.readTree(new String(zk.getData("/master", false, null),
                StandardCharsets.UTF_8));
        assertThat(leader.get("id").asString()).isIn("first", "second");
    }

    /** Closes the master's session from another connection: ZooKeeper itself ends it, as on a real expiry. */
    private void expireSessionOnTheServer(CuratorFramework victim) throws Exception {
        ZooKeeper handle = victim.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper impostor = new ZooKeeper(cluster.connectString(), 6000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, handle.getSessionId(), handle.getSessionPasswd());
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        impostor.close();
    }

    private static double count(ConfigurableApplicationContext app, String name) {
        return app.getBean(MeterRegistry.class).find(name).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
