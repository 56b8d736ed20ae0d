package io.zootask.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task's changes keep their order while the feed reads one of them, on a real ZooKeeper: what comes after a read
 * waits for its answer, including a read started by a change that waited; other tasks are not held up.
 */
class TaskOrderTest {

    private static final Duration SOON = Duration.ofSeconds(20);

    private TestingServer server;
    private CuratorFramework client;
    private TaskOrder order;
    private final List<String> told = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer();
        client = CuratorFrameworkFactory.newClient(server.getConnectString(), 5_000, 5_000, new RetryOneTime(100));
        client.start();
        client.create().forPath("/t", "queued".getBytes());
        client.create().forPath("/a", "assigned".getBytes());
        order = new TaskOrder(client);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void aChangeAfterAReadIsToldAfterTheReadsAnswer() {
        order.read("task-1", "/t", node -> told.add(new String(node.getData())));
        order.inOrder("task-1", () -> told.add("running"));

        await().atMost(SOON).until(() -> told.size() == 2);
        assertThat(told).containsExactly("queued", "running");
    }

    @Test
    void aReadStartedByAWaitingChangeHoldsTheRestInTurn() {
        order.read("task-1", "/t", node -> told.add(new String(node.getData())));
        order.inOrder("task-1", () -> order.read("task-1", "/a", node -> told.add(new String(node.getData()))));
        order.inOrder("task-1", () -> told.add("done"));

        await().atMost(SOON).until(() -> told.size() == 3);
        assertThat(told).containsExactly("queued", "assigned", "done");
    }

    @Test
    void aGoneZnodeIsAnsweredTooAndOtherTasksAreNotHeldUp() {
        order.read("task-1", "/gone", node -> told.add(node.getStat() == null ? "gone" : "there"));
        order.inOrder("task-2", () -> told.add("task-2 at once"));
        assertThat(told).as("run within the call, whatever task-1 waits for").contains("task-2 at once");
        order.inOrder("task-1", () -> told.add("after"));

        await().atMost(SOON).until(() -> told.size() == 3);
        assertThat(told.indexOf("gone")).isLessThan(told.indexOf("after"));
    }
}
