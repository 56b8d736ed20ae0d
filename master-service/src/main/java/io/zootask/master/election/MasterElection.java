package io.zootask.master.election;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.active.ActiveMaster;
import io.zootask.master.active.QueueGauges;
import io.zootask.protocol.MasterInfo;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import io.zootask.master.retention.RetentionSweeper;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Curator leader election among the masters. The winner publishes itself in the ephemeral {@code /master} (the seeds'
 * znode, for anyone who looks) and runs an {@link ActiveMaster} until it loses leadership: on session loss (LeaderLatch
 * reacts to LOST) or on shutdown, where closing the latch hands over at once instead of after a session timeout.
 */
public class MasterElection implements LeaderLatchListener {

    private static final Logger log = LoggerFactory.getLogger(MasterElection.class);
    /** How often the active master deletes the statuses whose grace has run out while over the count. */
    private static final Duration OVER_COUNT_CHECK = Duration.ofSeconds(1);

    private final CuratorFramework client;
    private final String masterId;
    private final MasterInfo info;
    private final ActiveMaster.Settings settings;
    private final Clock clock;
    private final MeterRegistry meters;
    private final QueueGauges gauges;
    private final LeaderLatch latch;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "master-election");
        t.setDaemon(true);
        return t;
    });
    private volatile ActiveMaster active;
    private volatile String fence; // our election node while we lead
    private final RetentionSweeper sweeper;
    private final Duration sweepInterval;
    private ScheduledExecutorService sweeping; // callbacks thread only

    public MasterElection(CuratorFramework client, MasterInfo info, ActiveMaster.Settings settings, Clock clock,
                          MeterRegistry meters, RetentionSweeper sweeper, Duration sweepInterval) {
        this.sweeper = sweeper;
        this.sweepInterval = sweepInterval;
        this.client = client;
        this.masterId = info.id();
        this.info = info;
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
        this.latch = new LeaderLatch(client, ZNodes.ELECTION, masterId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        this.gauges = new QueueGauges(meters);
        meters.gauge("zootask.master.leader", this, e -> e.leads() ? 1 : 0);
    }

    public void start() throws Exception {
        latch.addListener(this, callbacks);
        latch.start();
        log.info("master {} joined the election", masterId);
    }

    public void stop() {
        try {
            // Step down while still holding the latch: our /master goes under the fence of our own election node,
            // so it can never delete the /master of the successor that the latch's close lets in.
            callbacks.submit(this::notLeader).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("stepping down: {}", e.toString());
        }
        try {
            latch.close(); // NOTIFY_LEADER: the standby's latch fires at once
        } catch (Exception e) {
            log.warn("closing the election latch: {}", e.toString());
        }
        callbacks.shutdown();
        try {
            callbacks.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void isLeader() {
        String fence = latch.getOurPath();
        this.fence = fence;
        log.info("master {} is now the leader (fence {})", masterId, fence);
        publishMaster(fence);
        ActiveMaster next = new ActiveMaster(client, fence, masterId, settings, clock, meters, gauges);
        active = next;
        next.start();
        sweeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retention");
            t.setDaemon(true);
            return t;
        });
        sweeper.startFollowing();
        sweeping.scheduleWithFixedDelay(() -> sweeper.sweep(fence), sweepInterval.toMillis(), sweepInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        // on the same thread, so never during a sweep: what went over the count in the last second, a little at a time
        long overCountEvery = Math.min(OVER_COUNT_CHECK.toMillis(), sweepInterval.toMillis());
        sweeping.scheduleWithFixedDelay(() -> sweeper.sweepOverCount(fence), overCountEvery, overCountEvery,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void notLeader() {
        ActiveMaster previous = active;
        active = null;
        String fence = this.fence;
        this.fence = null;
        if (sweeping != null) {
            sweeping.shutdownNow();
            sweeping = null;
            sweeper.stopFollowing();
        }
        if (previous != null) {
            previous.stop();
            log.info("master {} is no longer the leader", masterId);
        }
        if (fence != null) {
            withdrawMaster(fence);
        }
    }

    public boolean leads() {
        return active != null && latch.hasLeadership();
    }

    public String masterId() {
        return masterId;
    }

    public Optional<String> leaderId() {
        try {
            Participant leader = latch.getLeader();
            return leader.isLeader() ? Optional.of(leader.getId()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    public int queueDepth() {
        return gauges.depth();
    }

    /**
     * Create-or-take-over {@code /master}, fenced by our latch node; a stale or hand-made one is replaced. The
     * previous leader may delete its own {@code /master} at any moment while we do this, so each step that finds the
     * ground moved (NoNode, BadVersion, NodeExists) simply tries again.
     */
    private void publishMaster(String fence) {
        byte[] data = ProtocolCodec.encode(new MasterInfo(masterId, info.host(), info.pid(), clock.instant()));
        for (int attempt = 1; attempt <= 10; attempt++) {
            try {
                Stat stat = client.checkExists().forPath(ZNodes.MASTER);
                if (stat == null) {
                    client.transaction().forOperations(
                            client.transactionOp().check().forPath(fence),
                            client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                    .forPath(ZNodes.MASTER, data));
                } else {
                    client.transaction().forOperations(
                            client.transactionOp().check().forPath(fence),
                            client.transactionOp().delete().withVersion(stat.getVersion()).forPath(ZNodes.MASTER),
                            client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                    .forPath(ZNodes.MASTER, data));
                    log.info("replaced a stale /master (owner session 0x{})",
                            Long.toHexString(stat.getEphemeralOwner()));
                }
                return;
            } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException
                     | KeeperException.BadVersionException moved) {
                if (!latch.hasLeadership()) {
                    return;
                }
            } catch (Exception e) {
                log.warn("cannot publish /master: {}", e.toString());
                return;
            }
        }
        log.warn("could not publish /master after 10 attempts: it keeps changing under us");
    }

    private void withdrawMaster(String fence) {
        try {
            Stat stat = client.checkExists().forPath(ZNodes.MASTER);
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            if (stat != null && stat.getEphemeralOwner() == session) {
                client.transaction().forOperations(
                        client.transactionOp().check().forPath(fence),
                        client.transactionOp().delete().withVersion(stat.getVersion()).forPath(ZNodes.MASTER));
            }
        } catch (Exception ignored) {
            // our session is gone or going: the ephemeral /master goes with it
        }
    }
}
