package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** A worker's labels, from its configuration, are what a foreign client reads in {@code /workers/<id>}. */
@Timeout(60)
class WorkerLabelsTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
    }

    @Test
    void aWorkerPublishesItsLabelsAndWhetherItIsReserved() throws Exception {
        cluster.worker("gpu", 1, "zootask.worker.labels.pool=gpu", "zootask.worker.labels.zone=eu-1",
                "zootask.worker.reserved=true");
        cluster.worker("plain", 1);
        await().atMost(seconds(20)).until(() -> Znodes.exists(zk, "/workers/gpu-1")
                && Znodes.exists(zk, "/workers/plain-1"));

        JsonNode gpu = Znodes.json(zk, "/workers/gpu-1").orElseThrow();
        assertThat(Gateway.JSON.convertValue(gpu.get("labels"), Map.class))
                .isEqualTo(Map.of("pool", "gpu", "zone", "eu-1"));
        assertThat(gpu.get("reserved").asBoolean()).isTrue();

        JsonNode plain = Znodes.json(zk, "/workers/plain-1").orElseThrow();
        assertThat(plain.has("labels")).as("labels of a worker without any").isFalse();
        assertThat(plain.path("reserved").asBoolean(false)).isFalse();
    }
}
