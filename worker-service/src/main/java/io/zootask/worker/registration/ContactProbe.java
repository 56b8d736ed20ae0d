package io.zootask.worker.registration;

import io.zootask.protocol.ZNodes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link SessionDeadline} and enforces it. Neither ZooKeeper's client nor Curator says when the server last
 * answered us (only when any packet last arrived), so every tenth of the session timeout this sends a tiny read of
 * its own ({@code exists /workers}) and, when its reply comes, records its send time. Every
 * {@link #CHECK_INTERVAL} it checks the current registration against its deadline, on a thread of its own: the
 * registration thread may be blocked in a ZooKeeper call exactly when the connection is cut.
 */
final class ContactProbe {

    private static final Logger log = LoggerFactory.getLogger(ContactProbe.class);

    /** Part of the margin: an overdue registration is noticed at most this late. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(100);

    private final CuratorFramework client;
    private final SessionDeadline deadline;
    private final Duration configuredTimeout;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-deadline");
        t.setDaemon(true);
        return t;
    });

    ContactProbe(CuratorFramework client, SessionDeadline deadline, Duration configuredTimeout,
                 LongSupplier nanoTime) {
        this.client = client;
        this.deadline = deadline;
        this.configuredTimeout = configuredTimeout;
        this.nanoTime = nanoTime;
    }

    /** @param onOverdue told (on the probe's thread) of a registration whose deadline has passed */
    void start(Supplier<Registration> current, Consumer<Registration> onOverdue) {
        thread.execute(this::probe);
        thread.scheduleWithFixedDelay(() -> check(current.get(), onOverdue), CHECK_INTERVAL.toMillis(),
                CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        thread.shutdownNow();
    }

    Duration sessionTimeout() {
        int negotiated = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
        return negotiated > 0 ? Duration.ofMillis(negotiated) : configuredTimeout;
    }

    private void probe() {
        try {
            ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
            long session = zooKeeper.getSessionId();
            if (session != 0) {
                long sentAt = nanoTime.getAsLong();
                zooKeeper.exists(ZNodes.WORKERS, false, (rc, path, ctx, stat) -> {
                    KeeperException.Code code = KeeperException.Code.get(rc);
                    if (code == KeeperException.Code.OK || code == KeeperException.Code.NONODE) {
                        deadline.heard(session, sentAt);
                    }
                }, null);
            }
        } catch (Exception e) {
            log.debug("contact probe not sent: {}", e.toString());
        } finally {
            if (!thread.isShutdown()) {
                long every = Math.max(100, sessionTimeout().toMillis() / 10);
                try {
                    thread.schedule(this::probe, every, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // stopping
                }
            }
        }
    }

    private void check(Registration registration, Consumer<Registration> onOverdue) {
        if (registration != null && !registration.isAbandoned()
                && deadline.nanosLeft(registration.sessionId(), sessionTimeout(), nanoTime.getAsLong()) <= 0) {
            onOverdue.accept(registration);
        }
    }
}
