package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Open and secured mode of the clients every zootask process builds, on a real (in-process) ZooKeeper server. */
class ZooKeeperClientsTest {

    private static final ZooKeeperAuth AUTH = new ZooKeeperAuth("zootask", "s3cret",
            ZooKeeperAuth.digestOf("admin:admin-secret"));

    private TestingServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        server.close();
    }

    @Test
    void openModeCreatesZnodesOpenToAllAsTheSeedsExpect() throws Exception {
        ZooKeeperSettings settings = ZooKeeperSettings.defaults(server.getConnectString());
        CuratorFramework client = started(settings);
        ZooKeeperClients.ensureRoots(client);

        assertThat(client.getACL().forPath("/tasks")).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        assertThat(ZooKeeperClients.secureRoots(client, ZooKeeperClients.acl(settings), true)).isEmpty();
        assertThat(client.getACL().forPath("/")).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
        ZooKeeper anonymous = plainClient(null);
        anonymous.create("/tasks/task-", "echo hi".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
    }

    @Test
    void securedModeClosesEveryZnodeItCreatesIncludingCuratorsParents() throws Exception {
        CuratorFramework client = started(ZooKeeperSettings.defaults(server.getConnectString()).withAuth(AUTH));
        ZooKeeperClients.ensureRoots(client);
        client.create().creatingParentsIfNeeded().forPath("/assign/w1/task-0000000001", "x".getBytes());
        client.transaction().forOperations(client.transactionOp().create().forPath("/status/task-0000000002"));

        List<ACL> expected = List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", AUTH.digestId())),
                new ACL(ZooDefs.Perms.ALL, new Id("digest", AUTH.adminDigest())));
        for (String path : List.of("/tasks", "/election", "/assign/w1", "/assign/w1/task-0000000001",
                "/status/task-0000000002")) {
            assertThat(client.getACL().forPath(path)).as(path).containsExactlyElementsOf(expected);
        }

        ZooKeeper anonymous = plainClient(null);
        assertThatThrownBy(() -> anonymous.getData("/assign/w1/task-0000000001", false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create("/tasks/task-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL)).isInstanceOf(KeeperException.NoAuthException.class);
        // [zk] addauth digest zootask:s3cret   then anything goes; the admin reads too
        assertThat(plainClient("zootask:s3cret").getData("/assign/w1/task-0000000001", false, null))
                .isEqualTo("x".getBytes());
        assertThat(plainClient("admin:admin-secret").getChildren("/assign/w1", false))
                .containsExactly("task-0000000001");
    }

    @Test
    void securingAClusterThatRanOpenRestrictsTheRootsAndZooKeepersRoot() throws Exception {
        CuratorFramework open = started(ZooKeeperSettings.defaults(server.getConnectString()));
        ZooKeeperClients.ensureRoots(open);
        ZooKeeperSettings secured = ZooKeeperSettings.defaults(server.getConnectString()).withAuth(AUTH);
        CuratorFramework client = started(secured);

        List<String> changed = ZooKeeperClients.secureRoots(client, ZooKeeperClients.acl(secured), true);
        assertThat(changed).containsExactlyInAnyOrderElementsOf(withRoot(ZNodes.ROOTS));
        assertThat(client.getACL().forPath("/tasks")).containsExactlyElementsOf(AUTH.acl());
        assertThat(client.getACL().forPath("/")).contains(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE))
                .containsAll(AUTH.acl()).hasSize(3);
        assertThat(ZooKeeperClients.secureRoots(client, ZooKeeperClients.acl(secured), true)).isEmpty();

        ZooKeeper anonymous = plainClient(null);
        assertThat(anonymous.getChildren("/", false)).contains("tasks"); // the names of the roots, nothing more
        assertThatThrownBy(() -> anonymous.create("/tasks/task-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL)).isInstanceOf(KeeperException.NoAuthException.class);
        // deleting an empty root needs DELETE on / : gone, so it cannot be re-created open to all
        assertThatThrownBy(() -> anonymous.delete("/running", -1)).isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create("/master", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL)).isInstanceOf(KeeperException.NoAuthException.class);
    }

    @Test
    void withoutLockingTheZooKeeperRootOnlyTheProtocolRootsChange() throws Exception {
        CuratorFramework open = started(ZooKeeperSettings.defaults(server.getConnectString()));
        ZooKeeperClients.ensureRoots(open);
        ZooKeeperSettings secured = ZooKeeperSettings.defaults(server.getConnectString()).withAuth(AUTH);

        assertThat(ZooKeeperClients.secureRoots(started(secured), ZooKeeperClients.acl(secured), false))
                .containsExactlyInAnyOrderElementsOf(ZNodes.ROOTS);
        assertThat(open.getACL().forPath("/")).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
    }

    @Test
    void clientPropertiesReachZooKeepersClientConfigSpelledAsZooKeeperWantsThem() throws Exception {
        CuratorFramework client = started(ZooKeeperSettings.defaults(server.getConnectString())
                .withClientProperties(Map.of("zookeeper.request.timeout", "12345",
                        // as an environment variable arrives through Spring: lower case
                        "zookeeper.ssl.truststore.location", "/etc/zootask/zk-trust.p12")));

        var config = client.getZookeeperClient().getZooKeeper().getClientConfig();
        assertThat(config.getProperty("zookeeper.request.timeout")).isEqualTo("12345");
        assertThat(config.getProperty("zookeeper.ssl.trustStore.location")).isEqualTo("/etc/zootask/zk-trust.p12");
        assertThat(ZooKeeperClients.canonicalClientProperties(Map.of("zookeeper.clientcnxnsocket", "x",
                "zookeeper.client.secure", "true", "zookeeper.ssl.keystore.password", "p", "some.other.Key", "y")))
                .containsOnlyKeys("zookeeper.clientCnxnSocket", "zookeeper.client.secure",
                        "zookeeper.ssl.keyStore.password", "some.other.Key");
    }

    @Test
    void credentialsAreValidatedAndNeverPrinted() {
        assertThatThrownBy(() -> new ZooKeeperAuth("zoo:task", "x", null)).hasMessageContaining("':'");
        assertThatThrownBy(() -> new ZooKeeperAuth("zootask", "", null)).hasMessageContaining("password");
        assertThatThrownBy(() -> new ZooKeeperAuth("zootask", "x", "admin:secret"))
                .hasMessageContaining("digest id");
        assertThat(new ZooKeeperAuth("zootask", "x", " ").adminDigest()).isNull();

        ZooKeeperSettings settings = ZooKeeperSettings.defaults("zk:2181").withAuth(AUTH)
                .withClientProperties(Map.of("zookeeper.ssl.keyStore.password", "store-secret",
                        "zookeeper.ssl.keyStore.passwordPath", "/run/secrets/ks"));
        assertThat(settings.toString()).contains("zootask", "admin", "/run/secrets/ks")
                .doesNotContain("s3cret", "store-secret", AUTH.adminDigest());
        assertThat(AUTH.toString()).doesNotContain("s3cret");
        // the digest id is what ZooKeeper computes for addauth digest zootask:s3cret
        assertThat(AUTH.digestId()).startsWith("zootask:").hasSize("zootask:".length() + 28);
        // the docs' recipe: echo "admin:$(printf %s 'admin:secret' | openssl dgst -binary -sha1 | base64)"
        assertThat(ZooKeeperAuth.digestOf("admin:secret")).isEqualTo("admin:fvr2cB/fjGeAiX8g1aGhUm3ZICk=");
        assertThat(ZooKeeperAuth.fromEnvironment(Map.of())).isNull();
        assertThat(ZooKeeperAuth.fromEnvironment(Map.of(ZooKeeperAuth.ENV_USERNAME, "zootask",
                ZooKeeperAuth.ENV_PASSWORD, "s3cret")).acl()).hasSize(1);
    }

    private static List<String> withRoot(List<String> roots) {
        List<String> all = new ArrayList<>(roots);
        all.add("/");
        return all;
    }

    private CuratorFramework started(ZooKeeperSettings settings) throws InterruptedException {
        CuratorFramework client = ZooKeeperClients.newClient(settings);
        closeables.add(client);
        client.start();
        assertThat(client.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
        return client;
    }

    private ZooKeeper plainClient(String digest) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(server.getConnectString(), 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        closeables.add(zk);
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        if (digest != null) {
            zk.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        return zk;
    }
}
