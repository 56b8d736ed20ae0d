package io.zootask.master.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.ZooKeeperSettings;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
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
                0)).isInstanceOf(KeeperException.NoNodeException.class);
        assertThat(client.checkExists().forPath("/assign/w1/task-0000000001")).isNull();
        assertThat(client.checkExists().forPath("/tasks/task-0000000001")).isNotNull();

        client.create().forPath("/assign/w1/task-0000000002", "true".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> stale.requeue("w1", "task-0000000002", "true".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(KeeperException.NoNodeException.class);
        assertThat(client.checkExists().forPath("/tasks/task-0000000002")).isNull();
        assertThat(client.checkExists().forPath("/assign/w1/task-0000000002")).isNotNull();
    }

    @Test
    void doesNotRequeueATaskALiveSessionIsRunning() throws Exception {
        String fence = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/election/latch-");
        client.create().forPath("/assign/w1/task-0000000003", "true".getBytes(StandardCharsets.UTF_8));
        client.create().withMode(CreateMode.EPHEMERAL).forPath("/running/task-0000000003");

        assertThatThrownBy(() -> new FencedWriter(client, fence).requeue("w1", "task-0000000003",
                "true".getBytes(StandardCharsets.UTF_8))).isInstanceOf(KeeperException.NodeExistsException.class);
        assertThat(client.checkExists().forPath("/tasks/task-0000000003")).isNull();
    }
}
