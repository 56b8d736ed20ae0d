package io.zootask.master.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zootask.master.MovableClock;
import io.zootask.master.RealZooKeeper;
import io.zootask.master.cluster.ClusterLoader;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.Term;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Queued tasks moved to workers against a real ZooKeeper, in batches, and what cannot be moved failed. */
class AssignerTest {

    @RegisterExtension
    final RealZooKeeper zk = new RealZooKeeper();

    private final ClusterModel model = new ClusterModel();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicInteger again = new AtomicInteger();
    private final MovableClock clock = new MovableClock();

    private Assigner assigner(int maxRequestBytes) throws Exception {
        Term leading = new Term() {
            @Override
            public boolean writable() {
                return true;
            }

            @Override
            public void end(String why) {
                throw new AssertionError("the term ended: " + why);
            }
        };
        return new Assigner(zk.client(), new FencedWriter(zk.client(), zk.fence()), model, leading, "m1",
                maxRequestBytes, clock, meters, again::incrementAndGet, Runnable::run);
    }

    /** One round as the active master makes it: read what arrived, wait for the answers, assign. */
    private void round(Assigner assigner) {
        assigner.readArrivals();
        await().atMost(Duration.ofSeconds(10)).until(() -> model.queue().unread().isEmpty());
        assigner.assignReady();
    }

    @Test
    void fillsEveryFreeSlotOldestFirstAndLeavesTheRestQueued() throws Exception {
        zk.worker("w1", 2);
        zk.worker("w2", 1);
        for (int i = 1; i <= 5; i++) {
            zk.create(String.format("/tasks/task-%010d", i), "echo " + i);
        }
        new ClusterLoader(zk.client(), model).load();

        round(assigner(0xfffff));

        assertThat(zk.client().getChildren().forPath("/assign/w1")).hasSize(2);
        assertThat(zk.client().getChildren().forPath("/assign/w2")).hasSize(1);
        assertThat(zk.client().getChildren().forPath("/tasks"))
                .containsExactlyInAnyOrder("task-0000000004", "task-0000000005");
        assertThat(meters.counter("zootask.master.tasks.assigned").count()).isEqualTo(3);
    }

    @Test
    void aWorkerWithoutItsAssignParentGetsOneAndTheTaskOnTheNextRound() throws Exception {
        zk.client().create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath("/workers/w3");
        zk.create("/tasks/task-0000000001", "echo hi");
        new ClusterLoader(zk.client(), model).load();

        Assigner assigner = assigner(0xfffff);
        round(assigner);
        assertThat(zk.exists("/assign/w3")).isTrue();
        assertThat(again.get()).isGreaterThanOrEqualTo(1);

        round(assigner);
        assertThat(zk.exists("/assign/w3/task-0000000001")).isTrue();
    }

    @Test
    void tasksThatCanNeverBeMovedFailWithTheReasonAndFreeTheirSlots() throws Exception {
        zk.worker("w1", 1);
        zk.create("/tasks/task-0000000001", "echo has a child");
        zk.create("/tasks/task-0000000001/foreign", "x");
        zk.create("/tasks/task-0000000002", "{\"command\":");
        zk.create("/tasks/task-0000000003", "echo " + "x".repeat(5_000));
        zk.create("/tasks/task-0000000004", "echo fine");
        new ClusterLoader(zk.client(), model).load();

        Assigner assigner = assigner(4_096); // a server whose requests may not exceed 4 KB
        for (int i = 0; i < 4; i++) {
            round(assigner);
        }

        assertThat(zk.read("/status/task-0000000001")).contains("child znodes").contains("removed with it");
        assertThat(zk.exists("/tasks/task-0000000001")).isFalse();
        assertThat(zk.read("/status/task-0000000002")).contains("malformed task");
        assertThat(zk.read("/status/task-0000000003")).contains("too large").doesNotContain("xxxx");
        assertThat(zk.exists("/assign/w1/task-0000000004")).isTrue();
        assertThat(meters.counter("zootask.master.tasks.failed").count()).isEqualTo(3);
    }
}
