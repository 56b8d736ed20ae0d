package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker whose {@code /workers} entry is gone while its session lives (it withdrew, or released a registration it
 * abandoned) must not mark a task running any more: the master re-queues the assignments of a departed worker
 * unless a live session holds their marker, so a marker written then keeps the task {@code running}, run by nobody,
 * for as long as the worker's process lives. This is what a marker write retried by Curator after the release did.
 */
@Timeout(60)
class RunningMarkerFenceTest {

    private static final String TASK = "task-0000004242";

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
    void noMarkerIsWrittenOnceTheWorkerHasLeftWorkers() throws Exception {
        // No master: nobody re-queues the assignment, so only the worker's own fence can stop the marker.
        cluster.worker("wm", 1, "zootask.worker.mark-running-after=3s");
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/wm-1", false) != null);
        zk.create("/assign/wm-1/" + TASK, "{\"command\":[\"sleep\",\"31\"]}".getBytes(StandardCharsets.UTF_8),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ProcessHandle process = await().atMost(seconds(10)).until(() -> taskProcess("sleep 31"), Optional::isPresent)
                .orElseThrow();

        zk.delete("/workers/wm-1", -1); // as the worker's release of an abandoned registration does

        await().atMost(seconds(10)).until(() -> !process.isAlive());
        assertThat(zk.exists("/running/" + TASK, false)).as("running marker").isNull();
        assertThat(zk.exists("/status/" + TASK, false)).as("status of a task the worker gave up").isNull();
    }

    private static Optional<ProcessHandle> taskProcess(String commandLine) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(commandLine)).findFirst();
    }
}
