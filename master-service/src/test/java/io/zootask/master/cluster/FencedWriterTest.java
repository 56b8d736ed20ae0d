package io.zootask.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.ZooKeeperSettings;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import io.zootask.master.cluster.FencedWriter.Refusal;
import io.zootask.protocol.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The master's writes against a real ZooKeeper: they land while its election node lives, and never after. */
class FencedWriterTest {

    private TestingServer server;
    private CuratorFramework client;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer(true);
        client = ZooKeeperClients.newClient(ZooKeeperSettings.defaults(server.getConnectString()));
        client.start();
        ZooKeeperClients.ensureRoots(client);
        client.create().withMode(CreateMode.EPHEMERAL).forPath("/workers/w1");
        client.create().forPath("/assign/w1");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void assignsWhileItsElectionNodeExists() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        client.create().forPath("/tasks/task-0000000001", "echo hi".getBytes(StandardCharsets.UTF_8));
        new FencedWriter(client, fence).assign("w1", "task-0000000001",
                "echo hi".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(client.checkExists().forPath("/assign/w1/task-0000000001")).isNotNull();
        assertThat(client.checkExists().forPath("/tasks/task-0000000001")).isNull();
    }

    @Test
    void writesNothingOnceItsElectionNodeIsGone() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        client.delete().forPath(fence); // what the server does when the leader's session expires
        client.create().forPath("/tasks/task-0000000001", "echo hi".getBytes(StandardCharsets.UTF_8));
        FencedWriter stale = new FencedWriter(client, fence);

        assertThatThrownBy(() -> stale.assign("w1", "task-0000000001", "echo hi".getBytes(StandardCharsets.UTF_8),
                0)).isInstanceOf(FencedWriter.RefusedException.class).satisfies(refusedFor(Refusal.NOT_LEADER));
        assertThat(client.checkExists().forPath("/assign/w1/task-0000000001")).isNull();
        assertThat(client.checkExists().forPath("/tasks/task-0000000001")).isNotNull();

        client.create().forPath("/assign/w1/task-0000000002", "true".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> stale.requeue("w1", "task-0000000002", "true".getBytes(StandardCharsets.UTF_8)))
                .satisfies(refusedFor(Refusal.NOT_LEADER));
        assertThat(client.checkExists().forPath("/tasks/task-0000000002")).isNull();
        assertThat(client.checkExists().forPath("/assign/w1/task-0000000002")).isNotNull();
    }

    @Test
    void doesNotRequeueATaskALiveSessionIsRunning() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        client.create().forPath("/assign/w1/task-0000000003", "true".getBytes(StandardCharsets.UTF_8));
        client.create().withMode(CreateMode.EPHEMERAL).forPath("/running/task-0000000003");

        assertThatThrownBy(() -> new FencedWriter(client, fence).requeue("w1", "task-0000000003",
                "true".getBytes(StandardCharsets.UTF_8))).satisfies(refusedFor(Refusal.STILL_RUNNING));
        assertThat(client.checkExists().forPath("/tasks/task-0000000003")).isNull();
    }

    @Test
    void saysWhichAssumptionFailedNotWhichOperation() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        FencedWriter writer = new FencedWriter(client, fence);
        byte[] data = "true".getBytes(StandardCharsets.UTF_8);
        client.create().forPath("/tasks/task-0000000004", data);

        assertThatThrownBy(() -> writer.assign("gone", "task-0000000004", data, 0))
                .satisfies(refusedFor(Refusal.WORKER_GONE));
        client.create().withMode(CreateMode.EPHEMERAL).forPath("/workers/w2"); // registered by hand, no /assign/w2
        assertThatThrownBy(() -> writer.assign("w2", "task-0000000004", data, 0))
                .satisfies(refusedFor(Refusal.NO_ASSIGN_PARENT));
        assertThatThrownBy(() -> writer.assign("w1", "task-0000000004", data, 7))
                .satisfies(refusedFor(Refusal.TASK_CHANGED));
        client.create().forPath("/tasks/task-0000000004/foreign", data);
        assertThatThrownBy(() -> writer.assign("w1", "task-0000000004", data, 0))
                .satisfies(refusedFor(Refusal.TASK_HAS_CHILDREN));
        assertThatThrownBy(() -> writer.assign("w1", "task-0000000099", data, 0))
                .satisfies(refusedFor(Refusal.TASK_GONE));
        // nothing of the refused transactions landed
        assertThat(client.getChildren().forPath("/assign/w1")).isEmpty();
    }

    @Test
    void failsAQueuedTaskTogetherWithTheZnodesUnderIt() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        client.create().forPath("/tasks/task-0000000005", "echo hi".getBytes(StandardCharsets.UTF_8));
        client.create().forPath("/tasks/task-0000000005/a");
        client.create().forPath("/tasks/task-0000000005/a/b");

        new FencedWriter(client, fence).failQueued("task-0000000005",
                TaskStatus.failure(null, "m1", Instant.now(), "has children"), 0,
                List.of("/tasks/task-0000000005/a/b", "/tasks/task-0000000005/a"));

        assertThat(client.checkExists().forPath("/tasks/task-0000000005")).isNull();
        assertThat(new String(client.getData().forPath("/status/task-0000000005"), StandardCharsets.UTF_8))
                .contains("\"failed\"").contains("has children");
    }

    @Test
    void removesAnEmptyAssignParentOnlyWhileItsWorkerIsAbsent() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        FencedWriter writer = new FencedWriter(client, fence);
        // /workers/w1 exists (see start()): the transaction's create of it fails, and /assign/w1 stays
        assertThatThrownBy(() -> writer.removeAssignmentParent("w1")).satisfies(refusedFor(Refusal.WORKER_PRESENT));
        assertThat(client.checkExists().forPath("/assign/w1")).isNotNull();

        client.create().forPath("/assign/departed");
        writer.removeAssignmentParent("departed");
        assertThat(client.checkExists().forPath("/assign/departed")).isNull();
        assertThat(client.checkExists().forPath("/workers/departed")).isNull();
    }

    private static Consumer<Throwable> refusedFor(Refusal refusal) {
        return thrown -> assertThat(thrown).isInstanceOf(FencedWriter.RefusedException.class)
                .extracting(t -> ((FencedWriter.RefusedException) t).refusal()).isEqualTo(refusal);
    }
}
