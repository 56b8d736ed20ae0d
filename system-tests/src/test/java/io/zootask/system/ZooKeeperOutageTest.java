package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway while ZooKeeper is away: 503 with Retry-After, health DOWN but liveness UP, and back again. */
@Timeout(120)
class ZooKeeperOutageTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gateway();
        await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200);
    }

    @Test
    void answers503WithRetryAfterWhileZooKeeperIsUnreachableAndRecovers() throws Exception {
        cluster.server().stop();
        await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 503);
        assertThat(gateway.get("/actuator/health").json().get("components").get("zookeeper").get("status")
                .asString()).isEqualTo("DOWN");
        assertThat(gateway.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(gateway.get("/actuator/health/readiness").status()).isEqualTo(503);

        Gateway.Reply refused = gateway.postJson("{\"command\":[\"echo\",\"hello\"]}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.retryAfter()).isEqualTo("3");
        assertThat(refused.json().get("detail").asString()).contains("nothing was written");
        assertThat(gateway.get("/tasks/task-0000000000").status()).isEqualTo(503);
        assertThat(gateway.get("/cluster").status()).isEqualTo(503);

        cluster.server().restart();
        await().atMost(seconds(30)).until(() -> gateway.get("/actuator/health").status() == 200);
        Gateway.Reply accepted = gateway.postJson("{\"command\":[\"echo\",\"hello\"]}");
        assertThat(accepted.status()).isEqualTo(202);
        // the refused request left nothing behind: this is the first task ever written
        assertThat(accepted.json().get("id").asString()).isEqualTo("task-0000000000");
    }
}
