package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A worker cut off from ZooKeeper while its process lives: it must kill its task before the server expires its
 * session (and the master re-queues the task to someone else), then come back as a fresh worker.
 */
@Timeout(120)
class WorkerPartitionTest {

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
    void aPartitionedWorkerKillsItsTaskBeforeItsSessionExpiresAndComesBackFresh() throws Exception {
        cluster.master("m");
        Gateway gateway = cluster.gateway();
        cluster.worker("wp", 1, "zootask.zookeeper.connect-string=" + proxy.address(),
                "zootask.zookeeper.session-timeout=6s");
        ZooKeeper zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wp-1", false) != null);
        String id = gateway.submit("{\"command\":[\"sleep\",\"7\"]}");
        await().atMost(seconds(20)).until(() -> "running".equals(gateway.task(id).get("state").asString()));
        ProcessHandle firstRun = await().atMost(seconds(10)).until(() -> ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 7")).findFirst(), Optional::isPresent)
                .orElseThrow();

        AtomicLong sessionExpiredAt = new AtomicLong();
        CompletableFuture<Void> expired = new CompletableFuture<>();
        zk.exists("/workers/wp-1", event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                sessionExpiredAt.set(System.nanoTime());
                expired.complete(null);
            }
        });
        AtomicLong killedAt = new AtomicLong();
        firstRun.onExit().thenRun(() -> killedAt.set(System.nanoTime()));

        long partitionedAt = System.nanoTime();
        proxy.partition();
        expired.get(30, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(seconds(5)).until(() -> killedAt.get() != 0);
        long killMillis = Duration.ofNanos(killedAt.get() - partitionedAt).toMillis();
        long expiryMillis = Duration.ofNanos(sessionExpiredAt.get() - partitionedAt).toMillis();
        assertThat(killMillis).as("killed after %d ms, session expired after %d ms", killMillis, expiryMillis)
                .isLessThan(expiryMillis);

        proxy.heal();
        await().atMost(seconds(30)).until(() -> zk.exists("/workers/wp-2", false) != null);
        JsonNode done = gateway.awaitFinished(id, seconds(40));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("attempt").asInt()).isEqualTo(2);
        assertThat(done.get("worker").asString()).isEqualTo("wp-2");
    }
}
