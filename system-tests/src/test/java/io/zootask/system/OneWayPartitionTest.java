package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker whose packets no longer reach ZooKeeper while the server's still reach it. The server restarts a
 * session's expiry only on what it receives, so it expires the worker's session a session timeout after the cut;
 * the worker's client, receiving watch notifications all along, never notices silence. The worker must still kill
 * its task before the expiry, so that the task's next execution, elsewhere, never overlaps it.
 */
@Timeout(120)
class OneWayPartitionTest {

    @TempDir
    Path journals;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private TcpProxy proxy;
    private ScheduledExecutorService notifier;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        proxy = new TcpProxy(cluster.connectString());
        notifier = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() throws Exception {
        notifier.shutdownNow();
        proxy.heal();
        proxy.close();
    }

    @Test
    void aWorkerThatStillReceivesButIsNotHeardKillsItsTaskBeforeItsSessionExpires() throws Exception {
        cluster.master("m");
        Gateway gateway = cluster.gateway();
        ConfigurableApplicationContext cutOff = cluster.worker("wo", 1,
                "zootask.zookeeper.connect-string=" + proxy.address(), "zootask.zookeeper.session-timeout=6s",
                "zootask.worker.journal=" + journals.resolve("wo.jsonl"));
        ZooKeeper zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wo-1", false) != null);
        String id = gateway.submit("{\"command\":[\"sleep\",\"17\"]}");
        await().atMost(seconds(20)).until(() -> "running".equals(gateway.task(id).get("state").asString()));
        ProcessHandle firstRun = await().atMost(seconds(10)).until(() -> ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 17")).findFirst(), Optional::isPresent)
                .orElseThrow();
        cluster.worker("wn", 1, "zootask.worker.journal=" + journals.resolve("wn.jsonl"));
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wn-1", false) != null);

        // The cut-off worker's session watches a znode that changes every 300 ms: its client keeps receiving.
        zk.create("/heartbeat", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        cutOff.getBean(CuratorFramework.class).watchers().add().withMode(AddWatchMode.PERSISTENT)
                .usingWatcher((Watcher) event -> { }).forPath("/heartbeat");
        notifier.scheduleAtFixedRate(() -> {
            try {
                zk.setData("/heartbeat", new byte[0], -1);
            } catch (Exception ignored) {
                // the next beat will do
            }
        }, 0, 300, TimeUnit.MILLISECONDS);

        AtomicLong sessionExpiredAt = new AtomicLong();
        CompletableFuture<Void> expired = new CompletableFuture<>();
        zk.exists("/workers/wo-1", event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                sessionExpiredAt.set(System.nanoTime());
                expired.complete(null);
            }
        });
        AtomicLong killedAt = new AtomicLong();
        firstRun.onExit().thenRun(() -> killedAt.set(System.nanoTime()));

        long cutAt = System.nanoTime();
        proxy.dropRequests();
        expired.get(30, TimeUnit.SECONDS);
        await().atMost(seconds(10)).until(() -> killedAt.get() != 0);
        long killMillis = Duration.ofNanos(killedAt.get() - cutAt).toMillis();
        long expiryMillis = Duration.ofNanos(sessionExpiredAt.get() - cutAt).toMillis();
        assertThat(killMillis).as("killed %d ms after the cut, session expired after %d ms", killMillis, expiryMillis)
                .isLessThan(expiryMillis);

        JsonNode done = gateway.awaitFinished(id, seconds(40));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("attempt").asInt()).isEqualTo(2);
        assertThat(done.get("worker").asString()).isEqualTo("wn-1");
        long firstEnded = journalTime(journals.resolve("wo.jsonl"), "end", id);
        long secondStarted = journalTime(journals.resolve("wn.jsonl"), "start", id);
        assertThat(firstEnded).as("first execution's end vs the second's start (epoch ms)").isLessThan(secondStarted);
    }

    private static long journalTime(Path journal, String event, String task) throws Exception {
        JsonMapper json = JsonMapper.builder().build();
        List<JsonNode> lines = Files.readAllLines(journal).stream().map(json::readTree)
                .filter(line -> event.equals(line.get("event").asString()) && task.equals(line.get("task").asString()))
                .toList();
        assertThat(lines).as("%s of %s in %s", event, task, journal.getFileName()).hasSize(1);
        return lines.get(0).get("at").asLong();
    }
}
