package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cancel requested while a worker's connection is down reaches it once it reconnects: ZooKeeper does not replay
 * the events a persistent watch missed, so the worker must look at {@code /cancel} again (Curator's cache does).
 */
@Timeout(90)
class CancelAcrossReconnectTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        proxy = new TcpProxy(cluster.connectString());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    @Test
    void aCancelMadeWhileTheWorkerIsCutOffTakesEffectWhenItReconnects() throws Exception {
        // a long session: a cut-off worker kills its tasks on its own once its session might expire, which is not
        // what this test is about
        cluster.worker("wx", 1, "zootask.zookeeper.connect-string=" + proxy.address(),
                "zootask.zookeeper.session-timeout=30s");
        ZooKeeper zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> Znodes.exists(zk, "/workers/wx-1"));
        String id = "task-0000000601";
        Znodes.create(zk, "/assign/wx-1/" + id, "{\"command\":[\"sleep\",\"35\"]}");
        ProcessHandle process = await().atMost(seconds(10)).until(() -> Znodes.taskProcess("sleep 35"),
                Optional::isPresent).orElseThrow();

        proxy.partition();
        Znodes.create(zk, "/cancel/" + id, "");
        await().during(Duration.ofMillis(500)).atMost(seconds(2))
                .until(() -> !Znodes.exists(zk, "/status/" + id) && process.isAlive());
        proxy.heal();
        proxy.sever(); // the worker notices now, and reconnects in the same session

        await().atMost(seconds(10)).until(() -> Znodes.exists(zk, "/status/" + id));
        assertThat(Znodes.json(zk, "/status/" + id).orElseThrow().get("state").asString()).isEqualTo("cancelled");
        assertThat(Znodes.exists(zk, "/workers/wx-1")).as("same session").isTrue();
        assertThat(process.isAlive()).isFalse();
        assertThat(Znodes.exists(zk, "/cancel/" + id)).isFalse();
    }
}
