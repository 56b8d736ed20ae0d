package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Tasks the master can never move to a worker, created ahead of real ones by a foreign client: each ends
 * {@code failed} with a message saying why, within seconds, and the real tasks behind them flow as usual. Before,
 * each was planned again at every reconcile, oldest first, and a handful of them held every free slot.
 */
@Timeout(120)
class UnassignableTasksTest {

    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    /** Readable by one digest identity that no zootask service has. */
    private static final List<ACL> SOMEONE_ELSES = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
            new Id("digest", "someone:ZkCKoRl8uNkPzcAEoW4CkBqgOUk="))));  // validateACL calls contains(null)
    /** ZooKeeper's default {@code jute.maxbuffer}, the TestingServer's too. */
    private static final int SERVER_REQUEST_LIMIT = 0xfffff;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
    }

    @Test
    void tasksWithChildrenFailAndTheQueueBehindThemFlows() throws Exception {
        startCluster();
        // on bin/local-cluster's 2 workers x 2 slots: six such tasks used to stop every assignment
        List<String> stuck = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            String id = String.format("stuck-%010d", i);
            zk.multi(List.of(  // at once: the master would assign the task before its child came
                    Op.create("/tasks/" + id, "echo stuck".getBytes(StandardCharsets.UTF_8), OPEN,
                            CreateMode.PERSISTENT),
                    Op.create("/tasks/" + id + "/result", "foreign".getBytes(StandardCharsets.UTF_8), OPEN,
                            CreateMode.PERSISTENT)));
            stuck.add(id);
        }
        List<String> real = submitFive();

        for (String id : real) {
            assertThat(gateway.awaitFinished(id, seconds(20)).get("state").asString()).isEqualTo("done");
        }
        for (String id : stuck) {
            JsonNode task = gateway.awaitFinished(id, seconds(20));
            assertThat(task.get("state").asString()).isEqualTo("failed");
            assertThat(task.get("message").asString()).contains("child znodes").contains("removed with it");
            assertThat(zk.exists("/tasks/" + id, false)).isNull();
        }
    }

    @Test
    void aTaskTheMasterMayNotReadFailsAndTheQueueFlows() throws Exception {
        // Created before the master starts: ZooKeeper (since 3.8.4) sends a persistent watch no event about a znode
        // the watcher may not read, so the master meets such a task in its full load (start, failover, reconnect).
        zk.create("/tasks", new byte[0], OPEN, CreateMode.PERSISTENT);
        for (int i = 1; i <= 6; i++) {
            zk.create(String.format("/tasks/secret-%010d", i), "echo secret".getBytes(StandardCharsets.UTF_8),
                    SOMEONE_ELSES, CreateMode.PERSISTENT);
        }
        startCluster();
        // until the master fails it, the gateway shows it as queued and says why it cannot show more
        Gateway.Reply early = gateway.get("/tasks/secret-0000000006");
        assertThat(early.status()).isEqualTo(200);
        assertThat(early.json().get("message").asString()).contains("ACL");
        List<String> real = submitFive();

        for (String id : real) {
            assertThat(gateway.awaitFinished(id, seconds(20)).get("state").asString()).isEqualTo("done");
        }
        JsonNode secret = gateway.awaitFinished("secret-0000000001", seconds(20));
        assertThat(secret.get("state").asString()).isEqualTo("failed");
        assertThat(secret.get("message").asString()).contains("ACL");
    }

    @Test
    void aTaskTooLargeToCopyIntoAnAssignmentFailsWithoutBreakingTheConnection() throws Exception {
        startCluster();
        // the foreign create fits under the server's limit; the assignment (its data plus a check, a create and a
        // delete in one multi) would not, and the server would drop the master's connection on it, again and again
        byte[] data = new byte[SERVER_REQUEST_LIMIT - 300];
        Arrays.fill(data, (byte) 'x');
        byte[] command = "echo big ".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(command, 0, data, 0, command.length);
        zk.create("/tasks/big-0000000001", data, OPEN, CreateMode.PERSISTENT);
        List<String> real = submitFive();

        JsonNode big = gateway.awaitFinished("big-0000000001", seconds(20));
        assertThat(big.get("state").asString()).isEqualTo("failed");
        assertThat(big.get("message").asString()).contains("too large").contains(String.valueOf(data.length));
        for (String id : real) {
            assertThat(gateway.awaitFinished(id, seconds(20)).get("state").asString()).isEqualTo("done");
        }
    }

    private void startCluster() {
        cluster.master("m1");
        cluster.worker("w1", 2);
        cluster.worker("w2", 2);
        gateway = cluster.gateway();
        await().atMost(seconds(20)).until(() -> zk.getChildren("/workers", false).size() == 2);
    }

    private List<String> submitFive() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(gateway.submit("{\"command\":[\"echo\",\"real " + i + "\"]}"));
        }
        return ids;
    }
}
