package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** A worker that loses its session, and a worker that is shut down (SIGTERM) while it runs a task. */
@Timeout(120)
class WorkerFailureTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        cluster.master("m", "zootask.master.assign-parent-grace=6s");
        gateway = cluster.gateway();
        zk = cluster.plainClient();
    }

    @Test
    void onSessionExpiryTheWorkerKillsItsProcessesAndRegistersAgainAsAFreshWorker() throws Exception {
        ConfigurableApplicationContext worker = cluster.worker("wx", 1);
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wx-1", false) != null);
        String id = gateway.submit("{\"command\":[\"sleep\",\"4\"]}");
        await().atMost(seconds(20)).until(() -> "running".equals(gateway.task(id).get("state").asString()));
        ProcessHandle firstRun = await().atMost(seconds(10)).until(() -> taskProcess("sleep 4"), Optional::isPresent)
                .orElseThrow();

        // The worker's client sees its session expire (as after a network partition).
        worker.getBean(CuratorFramework.class).getZookeeperClient().getZooKeeper().getTestable()
                .injectSessionExpiration();

        await().atMost(seconds(5)).until(() -> !firstRun.isAlive());
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wx-2", false) != null);
        JsonNode done = gateway.awaitFinished(id, seconds(40));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("attempt").asInt()).isEqualTo(2);
        assertThat(done.get("worker").asString()).isEqualTo("wx-2");
        assertThat(zk.getChildren("/workers", false)).containsExactly("wx-2");
        // the old id's empty parent goes once the grace is over (the session timeout here)
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/wx-1", false) == null);
    }

    @Test
    void onShutdownTheWorkerTakesNothingNewAndFinishesWhatRuns() throws Exception {
        ConfigurableApplicationContext worker = cluster.worker("wd", 1);
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wd-1", false) != null);
        String running = gateway.submit("{\"command\":[\"sleep\",\"3\"]}");
        await().atMost(seconds(20)).until(() -> "running".equals(gateway.task(running).get("state").asString()));
        String waiting = gateway.submit("{\"command\":[\"echo\",\"next\"]}");

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(worker::close);
        // it leaves /workers first, while its task still runs
        await().atMost(seconds(5)).until(() -> zk.exists("/workers/wd-1", false) == null);
        assertThat(gateway.task(running).get("state").asString()).isEqualTo("running");

        JsonNode done = gateway.awaitFinished(running, seconds(30));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("attempt").asInt()).isEqualTo(1);
        assertThat(done.get("worker").asString()).isEqualTo("wd-1");
        shutdown.get();
        assertThat(gateway.task(waiting).get("state").asString()).isEqualTo("queued");

        cluster.worker("next", 1);
        assertThat(gateway.awaitFinished(waiting, seconds(30)).get("output").asString()).isEqualTo("next\n");
    }

    private static Optional<ProcessHandle> taskProcess(String commandLine) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(commandLine)).findFirst();
    }
}
