package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * zootask on a 3-server ZooKeeper ensemble: losing one server changes nothing a user sees; losing two (the quorum)
 * stops submissions with 503 until they are back, and every accepted task still finishes.
 */
@Timeout(240)
class EnsembleTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTestOnEnsemble(3);
    private ZootaskCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
    }

    @Test
    void oneServerLostChangesNothingAndALostQuorumPausesWithoutLosingTasks() throws Exception {
        // the default session timeout: the reconnection to another server must fit in its worker kill deadline
        cluster.master("m1", "zootask.zookeeper.session-timeout=10s");
        cluster.master("m2", "zootask.zookeeper.session-timeout=10s");
        cluster.worker("w1", 3, "zootask.zookeeper.session-timeout=10s");
        cluster.worker("w2", 3, "zootask.zookeeper.session-timeout=10s");
        Gateway gateway = cluster.gateway("zootask.zookeeper.session-timeout=10s");
        await().atMost(seconds(30)).until(() -> gateway.get("/cluster").json().get("workers").size() == 2);

        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            accepted.add(gateway.submit("{\"command\":[\"sleep\",\"3\"]}"));
        }
        await().atMost(seconds(20)).until(() -> accepted.stream()
                .allMatch(id -> "running".equals(gateway.task(id).get("state").asString())));

        List<InstanceSpec> servers = new ArrayList<>(cluster.ensemble().getInstances());
        assertThat(cluster.ensemble().killServer(servers.get(0))).isTrue();
        for (int i = 0; i < 4; i++) {
            accepted.add(gateway.submit("{\"command\":[\"echo\",\"during one server down\"]}"));
        }
        for (String id : accepted) {
            JsonNode done = gateway.awaitFinished(id, seconds(60));
            assertThat(done.get("state").asString()).isEqualTo("done");
            // no task was killed or re-queued: the loss of one server was invisible
            assertThat(done.get("attempt").asInt()).as(done.toString()).isEqualTo(1);
        }

        String beforeQuorumLoss = gateway.submit("{\"command\":[\"sleep\",\"1\"]}");
        assertThat(cluster.ensemble().killServer(servers.get(1))).isTrue();
        await().atMost(seconds(30)).until(() -> gateway.postJson("{\"command\":[\"true\"]}").status() == 503);
        Gateway.Reply refused = gateway.postJson("{\"command\":[\"true\"]}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.retryAfter()).isNotNull();

        assertThat(cluster.ensemble().restartServer(servers.get(0))).isTrue();
        assertThat(cluster.ensemble().restartServer(servers.get(1))).isTrue();
        await().atMost(seconds(60)).until(() -> gateway.postJson("{\"command\":[\"echo\",\"back\"]}").status()
                == 202);
        accepted.add(beforeQuorumLoss);
        for (String id : accepted) {
            assertThat(gateway.awaitFinished(id, seconds(90)).get("state").asString()).isEqualTo("done");
        }
    }
}
