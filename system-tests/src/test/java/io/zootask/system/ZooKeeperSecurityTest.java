package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.zootask.protocol.ZooKeeperAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * ZooKeeper's secured mode (issue 5): the services authenticate with digest credentials, every znode they create is
 * closed to anyone else, an anonymous client gets NoAuth, and a hand client that does {@code addauth digest} works the
 * protocol as the seeds show. The open mode is what every other system test runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
@Timeout(120)
class ZooKeeperSecurityTest {

    private static final String USER = "zootask";
    private static final String PASSWORD = "test-only-Pa55word-" + UUID.randomUUID();
    private static final String ADMIN = "admin:admin-" + UUID.randomUUID();

    private static final Id SERVICES = new Id("digest", ZooKeeperAuth.digestOf(USER + ":" + PASSWORD));
    private static final Id ADMIN_ID = new Id("digest", ZooKeeperAuth.digestOf(ADMIN));
    private static final List<ACL> SECURED = List.of(new ACL(ZooDefs.Perms.ALL, SERVICES),
            new ACL(ZooDefs.Perms.ALL, ADMIN_ID));

    @RegisterExtension
    static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper services;
    private ZooKeeper anonymous;

    @BeforeAll
    void startSecuredCluster() throws Exception {
        cluster = zootask.cluster().withProperties(
                "zootask.zookeeper.auth.username=" + USER,
                "zootask.zookeeper.auth.password=" + PASSWORD,
                "zootask.zookeeper.auth.admin-digest=" + ADMIN_ID.getId());
        cluster.master("m1");
        cluster.worker("w", 2);
        gateway = cluster.gateway();
        services = cluster.plainClient(USER + ":" + PASSWORD);
        anonymous = cluster.plainClient();
        await().atMost(seconds(30)).until(() -> gateway.get("/cluster").json().get("workers").size() == 1);
    }

    @Test
    void aTaskSubmittedOverHttpFinishes() {
        String id = gateway.submit("{\"command\":[\"echo\",\"hello\"]}");
        JsonNode done = gateway.awaitFinished(id, seconds(30));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("output").asString()).isEqualTo("hello\n");

        // the Idempotency-Key path writes with a multi on the raw handle: the same identity, the same ACL
        String key = "secured-" + UUID.randomUUID();
        Gateway.Reply first = gateway.postJson("{\"command\":[\"echo\",\"once\"]}", key);
        Gateway.Reply again = gateway.postJson("{\"command\":[\"echo\",\"once\"]}", key);
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(gateway.awaitFinished(first.json().get("id").asString(), seconds(30)).get("output").asString())
                .isEqualTo("once\n");
    }

    @Test
    void everyZnodeTheSystemCreatesCarriesTheSecuredAclAndAnonymousReadsNothing() throws Exception {
        // fill both slots, so that a third task stays queued: every kind of znode exists at once
        String first = gateway.submit("{\"command\":[\"sleep\",\"30\"],\"timeoutSeconds\":5}");
        String second = gateway.submit("{\"command\":[\"sleep\",\"30\"],\"timeoutSeconds\":5}");
        await().atMost(seconds(20)).until(() -> services.exists("/running/" + first, false) != null
                && services.exists("/running/" + second, false) != null);
        String queued = gateway.postJson("{\"command\":[\"echo\",\"queued\"]}", "acl-" + UUID.randomUUID())
                .json().get("id").asString();
        String worker = services.getChildren("/workers", false).get(0);

        Map<String, List<ACL>> acls = aclsOfEverything();
        assertThat(acls.keySet()).contains("/tasks", "/workers", "/assign", "/running", "/status", "/election",
                "/idempotency", "/master", "/tasks/" + queued, "/workers/" + worker, "/assign/" + worker,
                "/assign/" + worker + "/" + first, "/running/" + first, "/services");
        assertThat(acls.keySet()).anyMatch(path -> path.startsWith("/election/"));
        assertThat(acls.keySet()).anyMatch(path -> path.startsWith("/idempotency/"));
        assertThat(acls.keySet()).anyMatch(path -> path.matches("/services/[^/]+/[^/]+")); // discovery's instances
        acls.forEach((path, acl) -> {
            if (path.equals("/")) {
                // ZooKeeper's root: anyone may list the root-level names, nothing more
                assertThat(acl).as(path).containsExactlyInAnyOrder(new ACL(ZooDefs.Perms.READ,
                        ZooDefs.Ids.ANYONE_ID_UNSAFE), SECURED.get(0), SECURED.get(1));
            } else {
                assertThat(acl).as(path).containsExactlyInAnyOrderElementsOf(SECURED);
            }
        });

        // while the task data is there, an anonymous client can read none of it
        for (String path : List.of("/tasks/" + queued, "/assign/" + worker + "/" + first, "/running/" + first,
                "/workers/" + worker, "/master")) {
            assertThatThrownBy(() -> anonymous.getData(path, false, null)).as(path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
        for (String path : List.of("/tasks", "/assign/" + worker, "/status", "/workers")) {
            assertThatThrownBy(() -> anonymous.getChildren(path, false)).as(path)
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }

        for (String id : List.of(first, second, queued)) {
            gateway.awaitFinished(id, seconds(30));
            assertThat(services.getACL("/status/" + id, null)).containsExactlyInAnyOrderElementsOf(SECURED);
            assertThatThrownBy(() -> anonymous.getData("/status/" + id, false, null))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
        assertThat(gateway.task(first).get("state").asString()).isEqualTo("timed_out");
        assertThat(gateway.task(queued).get("output").asString()).isEqualTo("queued\n");
    }

    @Test
    void anAnonymousClientCanNeitherSubmitNorForgeNorReadResults() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"secret output\"]}");
        gateway.awaitFinished(id, seconds(30));
        byte[] data = "echo hi".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> anonymous.getData("/status/" + id, false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);
        // [zk] create -s /tasks/task- "echo hi"   without addauth
        assertThatThrownBy(() -> anonymous.create("/tasks/task-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL)).isInstanceOf(KeeperException.NoAuthException.class);
        // a fake worker that would swallow tasks, a forged status, a forged assignment
        assertThatThrownBy(() -> anonymous.create("/workers/evil", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL)).isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create("/status/task-9999999999", "done".getBytes(StandardCharsets.UTF_8),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.setData("/master", data, -1))
                .isInstanceOf(KeeperException.NoAuthException.class);
        // nor, through ZooKeeper's root, delete /master or create a root-level znode of its own
        assertThatThrownBy(() -> anonymous.delete("/master", -1))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThatThrownBy(() -> anonymous.create("/tasks2", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT)).isInstanceOf(KeeperException.NoAuthException.class);
        // the right user name with a wrong password is just another identity
        ZooKeeper wrong = cluster.plainClient(USER + ":not-the-password");
        assertThatThrownBy(() -> wrong.getData("/status/" + id, false, null))
                .isInstanceOf(KeeperException.NoAuthException.class);
        assertThat(services.getChildren("/tasks", false)).isEmpty();
    }

    @Test
    void aHandClientThatAddsAuthWorksTheProtocolAsTheSeedsShow() throws Exception {
        // [zk] addauth digest zootask:<password>
        // [zk] create -s /tasks/task- "echo hi" auth::cdrwa
        ZooKeeper zk = cluster.plainClient(USER + ":" + PASSWORD);
        String path = zk.create("/tasks/task-", "echo hi".getBytes(StandardCharsets.UTF_8),
                ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT_SEQUENTIAL);
        String id = path.substring("/tasks/".length());
        // [zk] get /status/task-...
        await().atMost(seconds(30)).until(() -> zk.exists("/status/" + id, false) != null);
        JsonNode status = Gateway.JSON.readTree(new String(zk.getData("/status/" + id, false, null),
                StandardCharsets.UTF_8));
        assertThat(status.get("state").asString()).isEqualTo("done");
        assertThat(status.get("output").asString()).isEqualTo("hi\n");
        assertThat(zk.getChildren("/workers", false)).hasSize(1);
        assertThat(new String(zk.getData("/master", false, null), StandardCharsets.UTF_8)).contains("m1");

        // the admin identity reads (and could repair) everything without the services' password
        ZooKeeper admin = cluster.plainClient(ADMIN);
        assertThat(new String(admin.getData("/status/" + id, false, null), StandardCharsets.UTF_8))
                .contains("\"done\"");
        assertThat(admin.getChildren("/status", false)).contains(id);
    }

    @Test
    void thePasswordIsNeitherLoggedNorExposed(CapturedOutput output) {
        assertThat(output.getAll()).contains("ZooKeeper secured mode: digest user 'zootask'");
        assertThat(output.getAll()).doesNotContain(PASSWORD);
        for (String endpoint : List.of("/actuator/env", "/actuator/configprops", "/actuator/health",
                "/actuator/info")) {
            Gateway.Reply reply = gateway.get(endpoint);
            assertThat(reply.body()).as(endpoint).doesNotContain(PASSWORD);
            if (!endpoint.endsWith("health") && !endpoint.endsWith("info")) {
                assertThat(reply.status()).as(endpoint).isNotEqualTo(200);
            }
        }
    }

    /** Every znode but ZooKeeper's own {@code /zookeeper}, with its ACL, read as the services' identity. */
    private Map<String, List<ACL>> aclsOfEverything() throws Exception {
        Map<String, List<ACL>> acls = new TreeMap<>();
        List<String> pending = new ArrayList<>(List.of("/"));
        while (!pending.isEmpty()) {
            String path = pending.remove(pending.size() - 1);
            try {
                acls.put(path, services.getACL(path, null));
                for (String child : services.getChildren(path, false)) {
                    String childPath = path.equals("/") ? "/" + child : path + "/" + child;
                    if (!childPath.equals("/zookeeper")) {
                        pending.add(childPath);
                    }
                }
            } catch (KeeperException.NoNodeException goneMeanwhile) {
                acls.remove(path); // an election node or a task that moved on while we walked
            }
        }
        return acls;
    }
}
