package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A foreign client writes nonsense everywhere; nothing crashes and every real task still finishes. */
@Timeout(120)
class GarbageTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
    }

    @Test
    void nonsenseInEveryParentBreaksNothing() throws Exception {
        ConfigurableApplicationContext master = cluster.master("m", "zootask.master.assign-parent-grace=6s");
        ConfigurableApplicationContext worker = cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        ZooKeeper zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/workers/w-1", false) != null);

        byte[] noise = new byte[300];
        new Random(42).nextBytes(noise);
        create(zk, "/tasks/junk-binary", noise);
        create(zk, "/tasks/task-with-children", "echo hi".getBytes(StandardCharsets.UTF_8));
        create(zk, "/tasks/task-with-children/status", "computed-result".getBytes(StandardCharsets.UTF_8));
        create(zk, "/tasks/with space", "echo odd name".getBytes(StandardCharsets.UTF_8));
        create(zk, "/workers/persistent-junk", "{\"slots\":1000}".getBytes(StandardCharsets.UTF_8));
        // in one transaction, so that the master never sees the parent empty: its task is recovered at once
        zk.multi(List.of(
                Op.create("/assign/nobody", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/assign/nobody/task-9999999990", noise, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT)));
        create(zk, "/assign/empty-ghost", new byte[0]);
        create(zk, "/assign/w-1/task-9999999991", "{\"command\":".getBytes(StandardCharsets.UTF_8));
        create(zk, "/status/task-9999999992", noise);
        create(zk, "/running/task-9999999993", noise);
        create(zk, "/master-junk", noise);

        List<String> real = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            real.add(gateway.submit("{\"command\":[\"echo\",\"real " + i + "\"]}"));
        }
        for (String id : real) {
            JsonAssert.done(gateway.awaitFinished(id, seconds(30)));
        }
        // the garbage that could be handled was: failed statuses that say why, orphans cleaned up
        assertThat(gateway.awaitFinished("junk-binary", seconds(30)).get("state").asString()).isEqualTo("failed");
        assertThat(gateway.awaitFinished("task-9999999991", seconds(30)).get("message").asString())
                .contains("malformed task");
        JsonAssert.failedWith(gateway.awaitFinished("task-with-children", seconds(30)), "child znodes");
        assertThat(zk.exists("/tasks/task-with-children", false)).isNull();
        // an empty parent whose worker never registers goes once the grace (here 6 s, the session timeout) is over
        await().atMost(seconds(30)).until(() -> zk.exists("/assign/empty-ghost", false) == null);
        // no task was given to the persistent (so: dead) "worker"
        assertThat(zk.exists("/assign/persistent-junk", false) == null
                || zk.getChildren("/assign/persistent-junk", false).isEmpty()).isTrue();
        // and every component is still up and answering
        assertThat(master.isActive() && worker.isActive()).isTrue();
        assertThat(gateway.get("/tasks?limit=500").status()).isEqualTo(200);
        assertThat(gateway.get("/cluster").status()).isEqualTo(200);
        assertThat(gateway.get("/tasks/task-9999999992").status()).isEqualTo(200);
    }

    private static void create(ZooKeeper zk, String path, byte[] data) throws Exception {
        zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    private static final class JsonAssert {
        static void failedWith(tools.jackson.databind.JsonNode task, String message) {
            assertThat(task.get("state").asString()).as(task.toString()).isEqualTo("failed");
            assertThat(task.get("message").asString()).contains(message);
        }

        static void done(tools.jackson.databind.JsonNode task) {
            assertThat(task.get("state").asString()).as(task.toString()).isEqualTo("done");
        }
    }
}
