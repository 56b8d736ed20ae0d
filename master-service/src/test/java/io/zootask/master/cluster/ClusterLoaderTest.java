package io.zootask.master.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.master.RealZooKeeper;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The model the loader builds from a real ZooKeeper's znodes, and keeps current from events. */
class ClusterLoaderTest {

    @RegisterExtension
    final RealZooKeeper zk = new RealZooKeeper();

    @Test
    void loadsLiveWorkersQueuedTasksAssignmentsAndMarkers() throws Exception {
        zk.worker("w1", 3);
        zk.client().create().forPath("/workers/persistent-junk", "{\"slots\":1000}".getBytes()); // no process behind it
        zk.create("/tasks/task-0000000002", "echo b");
        zk.create("/tasks/task-0000000001", "echo a");
        zk.create("/tasks/with space", "echo odd");
        zk.create("/assign/w1/task-0000000000", "echo c");
        zk.client().create().withMode(CreateMode.EPHEMERAL).forPath("/running/task-0000000000");
        zk.create("/assign/gone", "");
        zk.create("/assign/gone/task-0000000003", "echo d");

        ClusterModel model = new ClusterModel();
        new ClusterLoader(zk.client(), model).load();

        assertThat(model.liveWorkers()).isEqualTo(1);
        assertThat(model.freeSlots()).containsExactly(java.util.Map.entry("w1", 2));
        assertThat(model.queue().unread()).containsExactlyInAnyOrder("task-0000000001", "task-0000000002");
        assertThat(model.isRunning("task-0000000000")).isTrue();
        assertThat(model.orphanedAssignments()).containsOnlyKeys("gone");
        assertThat(model.orphanedAssignments().get("gone")).containsExactly("task-0000000003");
    }

    @Test
    void appliesEventsOneAtATime() throws Exception {
        ClusterModel model = new ClusterModel();
        ClusterLoader loader = new ClusterLoader(zk.client(), model);
        loader.load();

        zk.worker("w1", 2);
        loader.apply(EventType.NodeCreated, "/workers/w1");
        loader.apply(EventType.NodeCreated, "/assign/w1");
        loader.apply(EventType.NodeCreated, "/tasks/task-0000000005");
        assertThat(model.queueDepth()).isEqualTo(1);
        loader.apply(EventType.NodeDeleted, "/tasks/task-0000000005");
        loader.apply(EventType.NodeCreated, "/assign/w1/task-0000000005");
        assertThat(model.queueDepth()).isZero();
        assertThat(model.freeSlots()).containsExactly(java.util.Map.entry("w1", 1));

        zk.client().delete().forPath("/workers/w1");
        loader.apply(EventType.NodeDeleted, "/workers/w1");
        assertThat(model.liveWorkers()).isZero();
        assertThat(model.orphanedAssignments()).containsOnlyKeys("w1");
    }
}
