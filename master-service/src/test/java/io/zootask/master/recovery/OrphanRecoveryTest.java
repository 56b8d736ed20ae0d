package io.zootask.master.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zootask.master.MovableClock;
import io.zootask.master.RealZooKeeper;
import io.zootask.master.cluster.ClusterLoader;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.Term;
import java.time.Duration;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Departed workers' assignments against a real ZooKeeper: re-queued, failed, or left to the session running them. */
class OrphanRecoveryTest {

    private static final Duration GRACE = Duration.ofSeconds(60);

    @RegisterExtension
    final RealZooKeeper zk = new RealZooKeeper();

    private final MovableClock clock = new MovableClock();
    private final ClusterModel model = new ClusterModel();
    private final Term alwaysLeading = new Term() {
        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public void end(String why) {
            throw new AssertionError("the term ended: " + why);
        }
    };
    private OrphanRecovery recovery;

    @BeforeEach
    void start() throws Exception {
        recovery = new OrphanRecovery(zk.client(), new FencedWriter(zk.client(), zk.fence()), model, alwaysLeading,
                "m1", GRACE, clock, new SimpleMeterRegistry());
    }

    private Optional<Duration> recoverFromWhatIsThere() throws Exception {
        new ClusterLoader(zk.client(), model).load();
        return recovery.recover();
    }

    @Test
    void aDepartedWorkersTaskGoesBackToTheQueueWithTheNextAttempt() throws Exception {
        zk.create("/assign/gone", "");
        zk.create("/assign/gone/task-0000000001", "{\"command\":[\"true\"],\"attempt\":1}");

        recoverFromWhatIsThere();

        assertThat(zk.exists("/assign/gone/task-0000000001")).isFalse();
        assertThat(zk.read("/tasks/task-0000000001")).contains("\"attempt\":2");
    }

    @Test
    void aTaskThatUsedUpItsAttemptsFailsWithWorkerLost() throws Exception {
        zk.create("/assign/gone", "");
        zk.create("/assign/gone/task-0000000002", "{\"command\":[\"true\"],\"attempt\":3}");

        recoverFromWhatIsThere();

        assertThat(zk.exists("/tasks/task-0000000002")).isFalse();
        assertThat(zk.read("/status/task-0000000002")).contains("\"failed\"").contains("worker lost");
    }

    @Test
    void aTaskALiveSessionStillRunsIsLeftToIt() throws Exception {
        zk.create("/assign/draining", "");
        zk.create("/assign/draining/task-0000000003", "{\"command\":[\"true\"]}");
        zk.client().create().withMode(CreateMode.EPHEMERAL).forPath("/running/task-0000000003");

        recoverFromWhatIsThere();

        assertThat(zk.exists("/assign/draining/task-0000000003")).isTrue();
        assertThat(zk.exists("/tasks/task-0000000003")).isFalse();
    }

    @Test
    void anEmptyParentWithoutItsWorkerGoesOnlyOnceTheGraceIsOver() throws Exception {
        zk.create("/assign/worker-slow", ""); // a foreign worker between its two creates, or one that never comes

        assertThat(recoverFromWhatIsThere()).contains(GRACE);
        clock.advance(GRACE.minusSeconds(1));
        assertThat(recovery.recover()).contains(Duration.ofSeconds(1));
        assertThat(zk.exists("/assign/worker-slow")).isTrue();

        clock.advance(Duration.ofSeconds(1));
        assertThat(recovery.recover()).isEmpty();
        assertThat(zk.exists("/assign/worker-slow")).isFalse();
    }

    @Test
    void aParentWhoseWorkerRegisteredMeanwhileStays() throws Exception {
        zk.create("/assign/worker-late", "");
        recoverFromWhatIsThere();
        clock.advance(GRACE);
        // the worker registers after the model was read: the removal's transaction sees it and is refused
        zk.client().create().withMode(CreateMode.EPHEMERAL).forPath("/workers/worker-late", "Idle".getBytes());

        recovery.recover();

        assertThat(zk.exists("/assign/worker-late")).isTrue();
        assertThat(zk.exists("/workers/worker-late")).isTrue();
    }
}
