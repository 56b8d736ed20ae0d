package io.zootask.master;

import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.ZooKeeperSettings;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real ZooKeeper server (curator-test runs the real server code) and a client with the protocol's parents, fresh
 * for each test: {@code @RegisterExtension final RealZooKeeper zk = new RealZooKeeper();}.
 */
public final class RealZooKeeper implements BeforeEachCallback, AfterEachCallback {

    private TestingServer server;
    private CuratorFramework client;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = new TestingServer(true);
        client = ZooKeeperClients.newClient(ZooKeeperSettings.defaults(server.getConnectString()));
        client.start();
        ZooKeeperClients.ensureRoots(client);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        client.close();
        server.close();
    }

    public CuratorFramework client() {
        return client;
    }

    /** An election node as the active master's latch would hold it: the fence of its writes. */
    public String fence() throws Exception {
        return client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(ZNodes.ELECTION + "/latch-");
    }

    /** A live worker with {@code slots} slots and its assignment parent, as a zootask worker registers. */
    public void worker(String id, int slots) throws Exception {
        client.create().withMode(CreateMode.EPHEMERAL).forPath(ZNodes.worker(id),
                ("{\"slots\":" + slots + "}").getBytes(StandardCharsets.UTF_8));
        client.create().forPath(ZNodes.assignments(id));
    }

    public void create(String path, String data) throws Exception {
        client.create().forPath(path, data.getBytes(StandardCharsets.UTF_8));
    }

    public String read(String path) throws Exception {
        return new String(client.getData().forPath(path), StandardCharsets.UTF_8);
    }

    public boolean exists(String path) throws Exception {
        return client.checkExists().forPath(path) != null;
    }
}
