package io.zootask.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What long-polls wait on, on a real ZooKeeper: an end told after a poll registered reaches it, an end told before
 * is looked back on, and whatever the watch may have missed (before it was set, while the connection was lost) is
 * "unknown", so that the poll reads the status itself.
 */
class TaskEndsTest {

    private static final Duration SOON = Duration.ofSeconds(20);

    private TestingServer server;
    private CuratorFramework client;
    private TaskEnds ends;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer();
        client = CuratorFrameworkFactory.newClient(server.getConnectString(), 5_000, 5_000, new RetryOneTime(100));
        client.start();
        client.create().forPath(ZNodes.STATUS);
        ends = new TaskEnds(new ZooKeeperAccess(client), Clock.systemUTC(), meters);
    }

    @AfterEach
    void stop() throws Exception {
        ends.stop();
        client.close();
        server.close();
    }

    @Test
    void anEndAfterThePollRegisteredIsToldToIt() throws Exception {
        ends.start();
        awaitWatchSet();
        AtomicInteger told = new AtomicInteger();
        TaskEnds.Registration place = ends.onEnd("task-0000000001", Instant.now(), told::incrementAndGet);
        assertThat(place.known()).isEqualTo(TaskEnds.Known.NOT_ENDED);
        assertThat(gauge()).isEqualTo(1);

        client.create().forPath(ZNodes.status("task-0000000001"));

        await().atMost(SOON).until(() -> told.get() == 1);
        place.close().run();
        assertThat(gauge()).isZero();
    }

    @Test
    void anEndBeforeThePollRegisteredIsLookedBackOn() throws Exception {
        ends.start();
        awaitWatchSet();
        Instant unfinished = Instant.now();
        client.create().forPath(ZNodes.status("task-0000000002"));

        await().atMost(SOON).until(() -> {
            TaskEnds.Registration place = ends.onEnd("task-0000000002", unfinished, () -> { });
            place.close().run();
            return place.known() == TaskEnds.Known.ENDED;
        });
    }

    @Test
    void whatHappenedBeforeTheWatchWasSetIsNotKnown() throws Exception {
        Instant before = Instant.now();
        ends.start();
        awaitWatchSet();

        TaskEnds.Registration place = ends.onEnd("task-0000000003", before, () -> { });

        assertThat(place.known()).isEqualTo(TaskEnds.Known.UNKNOWN);
    }

    @Test
    void afterTheConnectionWasLostEveryWaitingPollIsToldToLookAndThePastIsUnknown() throws Exception {
        ends.start();
        awaitWatchSet();
        Instant beforeTheLoss = Instant.now();
        AtomicInteger told = new AtomicInteger();
        TaskEnds.Registration place = ends.onEnd("task-0000000004", beforeTheLoss, told::incrementAndGet);
        assertThat(place.known()).isEqualTo(TaskEnds.Known.NOT_ENDED);

        server.stop();
        server.restart();

        await().atMost(SOON).until(() -> told.get() >= 1);
        TaskEnds.Registration again = ends.onEnd("task-0000000004", beforeTheLoss, () -> { });
        assertThat(again.known()).isEqualTo(TaskEnds.Known.UNKNOWN);
    }

    @Test
    void aClosedRegistrationIsToldNothing() throws Exception {
        ends.start();
        awaitWatchSet();
        AtomicInteger told = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        ends.onEnd("task-0000000005", Instant.now(), told::incrementAndGet).close().run();
        ends.onEnd("task-0000000005", Instant.now(), other::incrementAndGet);

        client.create().forPath(ZNodes.status("task-0000000005"));

        await().atMost(SOON).until(() -> other.get() == 1);
        assertThat(told.get()).isZero();
    }

    /** Set once a task known unfinished from now on is known not to have ended. */
    private void awaitWatchSet() {
        await().atMost(SOON).until(() -> {
            TaskEnds.Registration probe = ends.onEnd("task-9999999999", Instant.now().plusMillis(1), () -> { });
            probe.close().run();
            return probe.known() == TaskEnds.Known.NOT_ENDED;
        });
    }

    private double gauge() {
        return meters.get("zootask.gateway.longpolls.tasks").gauge().value();
    }
}
