package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The seeds' own worker (seed 001, the ZooKeeper book's {@code Worker}) against zootask: it creates
 * {@code /assign/worker-<id>}, then the ephemeral {@code /workers/worker-<id>} with data {@code Idle}, then watches
 * the assignment parent's children with a plain one-shot watch that reacts only to {@code NodeChildrenChanged}; for
 * each task it writes {@code /status/<task>} = {@code done} and deletes the assignment. The zkCli walk-throughs
 * register in the other order. Either way, every task submitted over HTTP must reach it and finish {@code done}.
 */
@Timeout(120)
class SeedWorkerInteropTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;
    private final ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
    }

    private void startMaster(String... properties) {
        cluster.master("m1", properties);
        await().atMost(seconds(20)).until(() -> zk.exists("/master", false) != null);
    }

    @AfterEach
    void stop() throws Exception {
        pauses.shutdownNow();
    }

    @ParameterizedTest(name = "{0} first, {1} ms between the creates")
    @CsvSource({"assign, 0", "assign, 50", "assign, 400", "workers, 0", "workers, 400"})
    void theBooksWorkerReceivesEveryTaskAndCompletesIt(String firstCreated, long gapMillis) throws Exception {
        startMaster();
        gateway = cluster.gateway();
        BookWorker worker = new BookWorker(zk);
        if (firstCreated.equals("assign")) {
            worker.bootstrap();
            pauses.schedule(() -> {
                worker.register();
                worker.getTasks();
            }, gapMillis, TimeUnit.MILLISECONDS);
        } else {
            worker.register();
            pauses.schedule(() -> {
                worker.bootstrap();
                worker.getTasks();
            }, gapMillis, TimeUnit.MILLISECONDS);
        }
        await().atMost(seconds(10)).until(() -> zk.exists(worker.workerPath(), false) != null);

        String first = gateway.submit("{\"command\":[\"echo\",\"one\"]}");
        String second = gateway.submit("{\"command\":[\"echo\",\"two\"]}");

        for (String id : List.of(first, second)) {
            JsonNode task = gateway.awaitFinished(id, seconds(30));
            assertThat(task.get("state").asString()).as(task.toString()).isEqualTo("done");
        }
        assertThat(worker.executed).containsExactlyInAnyOrder(first, second);
        // the master kept the parent the worker watches: a third task still reaches it
        String third = gateway.submit("{\"command\":[\"echo\",\"three\"]}");
        assertThat(gateway.awaitFinished(third, seconds(30)).get("state").asString()).isEqualTo("done");
        assertThat(zk.exists(worker.assignPath(), false)).isNotNull();
    }

    @Test
    void anEmptyParentWithoutItsWorkerStaysForTheGraceThenGoes() throws Exception {
        startMaster("zootask.master.assign-parent-grace=8s");

        zk.create("/assign/worker-slow", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        // a worker that takes its time between its two creates still finds its parent
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                .until(() -> zk.exists("/assign/worker-slow", false) != null);
        // one that never comes: the parent is removed once the grace is over, and no /workers entry is left behind
        await().atMost(seconds(20)).until(() -> zk.exists("/assign/worker-slow", false) == null);
        assertThat(zk.exists("/workers/worker-slow", false)).isNull();
    }

    /**
     * The book's {@code Worker}, with the plain client and its asynchronous calls, as written there. Its task is
     * to read the task's data; it reports {@code done}.
     */
    private static final class BookWorker {

        private final ZooKeeper zk;
        private final String serverId = Integer.toHexString(new Random().nextInt());
        final Set<String> executed = ConcurrentHashMap.newKeySet();
        private final Set<String> onGoingTasks = ConcurrentHashMap.newKeySet();

        BookWorker(ZooKeeper zk) {
            this.zk = zk;
        }

        String workerPath() {
            return "/workers/worker-" + serverId;
        }

        String assignPath() {
            return "/assign/worker-" + serverId;
        }

        void bootstrap() {
            zk.create(assignPath(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, path, ctx, name) -> {
                        if (KeeperException.Code.get(rc) == KeeperException.Code.CONNECTIONLOSS) {
                            bootstrap();
                        }
                        // OK or NODEEXISTS: "Assign node already registered"
                    }, null);
        }

        void register() {
            zk.create(workerPath(), "Idle".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL, (rc, path, ctx, name) -> {
                        if (KeeperException.Code.get(rc) == KeeperException.Code.CONNECTIONLOSS) {
                            register();
                        }
                    }, null);
        }

        private void onAssignChanged(WatchedEvent event) {
            if (event.getType() == Watcher.Event.EventType.NodeChildrenChanged) {
                getTasks();
            }
        }

        void getTasks() {
            zk.getChildren(assignPath(), this::onAssignChanged, this::onTasks, null);
        }

        private void onTasks(int rc, String path, Object ctx, List<String> children) {
            switch (KeeperException.Code.get(rc)) {
                case CONNECTIONLOSS -> getTasks();
                case OK -> {
                    for (String task : children) {
                        if (onGoingTasks.add(task)) {
                            zk.getData(assignPath() + "/" + task, false, this::onTaskData, task);
                        }
                    }
                }
                default -> {
                    // the book logs "getChildren failed" and does nothing more
                }
            }
        }

        private void onTaskData(int rc, String path, Object ctx, byte[] data, Stat stat) {
            String task = (String) ctx;
            if (KeeperException.Code.get(rc) == KeeperException.Code.OK) {
                executed.add(task);
                zk.create("/status/" + task, "done".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT, (rc2, p, c, n) -> { }, null);
                zk.delete(assignPath() + "/" + task, -1, (rc2, p, c) -> { }, null);
            }
        }
    }
}
