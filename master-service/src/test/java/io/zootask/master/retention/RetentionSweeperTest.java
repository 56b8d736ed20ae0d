package io.zootask.master.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zootask.master.MovableClock;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.drivers.AdvancedTracerDriver;
import org.apache.curator.drivers.EventTrace;
import org.apache.curator.drivers.OperationTrace;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code /status} list longer than one {@code getChildren} answer can carry (left by a burst faster than the grace
 * period lets statuses go, or by an older release) is brought back under {@link RetentionSweeper#LISTABLE_STATUSES},
 * newest kept, even when every status is still within its grace.
 */
class RetentionSweeperTest {

    private TestingServer server;
    private CuratorFramework client;
    private String fence;

    @BeforeEach
    void start() throws Exception {
        server = new TestingServer();
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty("jute.maxbuffer", String.valueOf(8 * 1024 * 1024)); // as master-service's application.yml
        client = CuratorFrameworkFactory.builder().connectString(server.getConnectString())
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(config).build();
        client.start();
        client.blockUntilConnected();
        ZooKeeperClients.ensureRoots(client);
        fence = client.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath(ZNodes.ELECTION + "/latch-");
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void aStatusListPastWhatGetChildrenCarriesIsCutBackToTheNewest() throws Exception {
        int written = 60_000; // ~1.1 MB of names: more than ZooKeeper's default 1 MB answer
        createStatuses(written);
        // every status is fresh and the grace is an hour: only the bound on the list's length can delete any
        RetentionSweeper sweeper = new RetentionSweeper(client, Clock.systemUTC(),
                new RetentionSweeper.Retention(Duration.ofDays(1), 10), new RetentionSweeper.Retention(
                Duration.ofDays(1), 10), Duration.ofHours(1), new SimpleMeterRegistry());

        sweeper.sweep(fence);

        assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren())
                .isEqualTo(RetentionSweeper.LISTABLE_STATUSES);
        assertThat(client.checkExists().forPath(ZNodes.status(name(0)))).isNull();
        assertThat(client.checkExists().forPath(ZNodes.status(name(written - RetentionSweeper.LISTABLE_STATUSES - 1))))
                .isNull();
        assertThat(client.checkExists().forPath(ZNodes.status(name(written - RetentionSweeper.LISTABLE_STATUSES))))
                .isNotNull();
        assertThat(client.checkExists().forPath(ZNodes.status(name(written - 1)))).isNotNull();
    }

    @Test
    void overTheCountAStatusStaysUntilItsGraceIsOver() throws Exception {
        createStatuses(30);
        MovableClock clock = new MovableClock();
        RetentionSweeper sweeper = new RetentionSweeper(client, clock, new RetentionSweeper.Retention(
                Duration.ofDays(1), 10), new RetentionSweeper.Retention(Duration.ofDays(1), 10), Duration.ofHours(1),
                new SimpleMeterRegistry());
        sweeper.sweep(fence);
        clock.advance(Duration.ofMinutes(59));
        sweeper.sweep(fence);
        assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren()).isEqualTo(30);

        clock.advance(Duration.ofMinutes(2)); // an hour and a minute since they were first seen: the count rules
        sweeper.sweep(fence);
        assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren()).isEqualTo(10);
        assertThat(client.checkExists().forPath(ZNodes.status(name(19)))).isNull();
        assertThat(client.checkExists().forPath(ZNodes.status(name(20)))).isNotNull();
    }

    @Test
    void aLeadingMasterFollowsTheStatusesInsteadOfListingThemAtEverySweep() throws Exception {
        // listing tens of thousands of names at every sweep was the large allocation behind the latency stalls
        List<String> listed = new CopyOnWriteArrayList<>();
        client.getZookeeperClient().setTracerDriver(new AdvancedTracerDriver() {
            @Override
            public void addTrace(OperationTrace trace) {
                if (trace.getName().startsWith("GetChildren")) {
                    listed.add(String.valueOf(trace.getPath()));
                }
            }

            @Override
            public void addEvent(EventTrace trace) {
            }
        });
        MovableClock clock = new MovableClock();
        RetentionSweeper sweeper = new RetentionSweeper(client, clock, new RetentionSweeper.Retention(
                Duration.ofDays(1), 10), new RetentionSweeper.Retention(Duration.ofDays(1), 10), Duration.ofMinutes(1),
                new SimpleMeterRegistry());
        sweeper.startFollowing();
        try {
            await().atMost(Duration.ofSeconds(20)).until(sweeper::following);
            createStatuses(30);
            await().atMost(Duration.ofSeconds(20)).until(() -> sweeper.knownStatuses() == 30);
            listed.clear();

            sweeper.sweepOverCount(fence); // within their grace: all stay
            assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren()).isEqualTo(30);
            clock.advance(Duration.ofMinutes(2));
            sweeper.sweepOverCount(fence);
            assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren()).isEqualTo(10);
            assertThat(client.checkExists().forPath(ZNodes.status(name(19)))).isNull();
            assertThat(client.checkExists().forPath(ZNodes.status(name(20)))).isNotNull();
            sweeper.sweep(fence);
            assertThat(listed).contains(ZNodes.IDEMPOTENCY).doesNotContain(ZNodes.STATUS); // the tracer works

            client.delete().forPath(ZNodes.status(name(29))); // another's delete reaches the index too
            await().atMost(Duration.ofSeconds(20)).until(() -> sweeper.knownStatuses() == 9);
        } finally {
            sweeper.stopFollowing();
        }
    }

    @Test
    void aMasterThatNoLongerLeadsDeletesNothing() throws Exception {
        createStatuses(30);
        RetentionSweeper sweeper = new RetentionSweeper(client, Clock.systemUTC(), new RetentionSweeper.Retention(
                Duration.ZERO, 10), new RetentionSweeper.Retention(Duration.ZERO, 10), Duration.ZERO,
                new SimpleMeterRegistry());
        client.delete().forPath(fence); // what the server does when the old leader's session expires

        sweeper.sweep(fence);

        assertThat(client.checkExists().forPath(ZNodes.STATUS).getNumChildren()).isEqualTo(30);
    }

    private void createStatuses(int count) throws Exception {
        CountDownLatch created = new CountDownLatch(count);
        byte[] data = "{\"state\":\"done\"}".getBytes();
        for (int i = 0; i < count; i++) {
            client.create().inBackground((c, event) -> created.countDown()).forPath(ZNodes.status(name(i)), data);
        }
        assertThat(created.await(2, TimeUnit.MINUTES)).isTrue();
    }

    private static String name(int sequence) {
        return String.format("task-%010d", sequence);
    }
}
