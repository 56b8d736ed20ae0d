package io.zootask.master.active;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.assignment.Assigner;
import io.zootask.master.cancellation.Cancellations;
import io.zootask.master.cluster.ClusterLoader;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.Term;
import io.zootask.master.recovery.OrphanRecovery;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the elected master, for one term of leadership: keep a {@link ClusterModel} current from persistent
 * watches ({@link ClusterLoader}), recover the assignments of departed workers ({@link OrphanRecovery}), assign
 * queued tasks ({@link Assigner}). Everything runs on one thread, so the model needs no locks and decisions are made
 * in event order. Paused while the connection is SUSPENDED; on RECONNECTED it reloads, since events may have been
 * missed.
 */
public final class ActiveMaster implements ConnectionStateListener, Term {

    private static final Logger log = LoggerFactory.getLogger(ActiveMaster.class);

    /**
     * What an active master needs to know beyond the cluster's znodes.
     *
     * @param assignParentGrace  how long an empty {@code /assign/<w>} without its worker is left alone
     * @param maxRequestBytes    the largest request the ZooKeeper servers accept (their {@code jute.maxbuffer})
     */
    public record Settings(Duration assignParentGrace, int maxRequestBytes) {
    }

    /** Where the term stands; it only ever moves through {@link #moveTo}. */
    private enum State {
        /** connected and leading: reconciling */
        ACTIVE,
        /** the connection is SUSPENDED or LOST: no writes until it is back and the model reloaded */
        PAUSED,
        /** over for good: leadership lost, the session changed, or stopped */
        ENDED
    }

    private final CuratorFramework client;
    private final ClusterModel model = new ClusterModel();
    private final ClusterLoader loader;
    private final OrphanRecovery recovery;
    private final Assigner assigner;
    private final Cancellations cancellations;
    private final QueueGauges gauges;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final Watcher watcher = this::onEvent;
    private volatile State state = State.ACTIVE;
    private volatile long sessionId; // the session this term's writes belong to
    private boolean reconcileQueued; // the term's thread only
    private Instant wakeUpAt; // the term's thread only: the earliest timed look ahead

    public ActiveMaster(CuratorFramework client, String leadershipPath, String masterId, Settings settings,
                        Clock clock, MeterRegistry meters, QueueGauges gauges) {
        this.client = client;
        this.gauges = gauges;
        this.clock = clock;
        FencedWriter writer = new FencedWriter(client, leadershipPath);
        this.loader = new ClusterLoader(client, model);
        this.recovery = new OrphanRecovery(client, writer, model, this, masterId, settings.assignParentGrace(), clock,
                meters);
        this.assigner = new Assigner(client, writer, model, this, masterId, settings.maxRequestBytes(), clock, meters,
                this::scheduleReconcile, step -> submit(step::run));
        this.cancellations = new Cancellations(client, writer, model, this, masterId, clock, meters);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "active-master");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        client.getConnectionStateListenable().addListener(this);
        submit(this::reload);
    }

    /** Ends this term: no write is attempted after this returns (the fence would refuse it anyway). */
    public void stop() {
        moveTo(State.ENDED, "stopped");
        client.getConnectionStateListenable().removeListener(this);
        for (String path : ClusterLoader.WATCHED) {
            try {
                client.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).locally().forPath(path);
            } catch (Exception ignored) {
                // not registered (never connected) or already gone with the session
            }
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean writable() {
        return state == State.ACTIVE;
    }

    @Override
    public void end(String why) {
        moveTo(State.ENDED, why);
    }

    @Override
    public void stateChanged(CuratorFramework ignored, ConnectionState newState) {
        switch (newState) {
            case SUSPENDED, LOST -> moveTo(State.PAUSED, "connection " + newState);
            case RECONNECTED, CONNECTED -> {
                moveTo(State.ACTIVE, "connection " + newState + ": reloading the cluster picture");
                submit(this::reload);
            }
            default -> {
            }
        }
    }

    /** The one place the state changes: an ended term stays ended. */
    private synchronized void moveTo(State next, String why) {
        State previous = state;
        if (previous == State.ENDED || previous == next) {
            return;
        }
        state = next;
        switch (next) {
            case ENDED -> log.warn("term over, no more writes: {}", why);
            case PAUSED -> log.warn("{}: assignments paused", why);
            case ACTIVE -> log.info("{}", why);
        }
    }

    private void onEvent(WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None || event.getPath() == null) {
            return;
        }
        submit(() -> {
            loader.apply(event.getType(), event.getPath());
            scheduleReconcile();
        });
    }

    /** Watches first, then reads: anything that changes after the read arrives as an event and is applied after. */
    private void reload() throws Exception {
        if (!writable()) {
            return;
        }
        long session = currentSession();
        if (sessionId == 0) {
            sessionId = session;
        } else if (session != sessionId) {
            end("the ZooKeeper session changed; leadership belonged to the old one");
            return;
        }
        ZooKeeperClients.ensureRoots(client);
        for (String path : ClusterLoader.WATCHED) {
            client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath(path);
        }
        assigner.forgetReads();
        loader.load();
        log.info("cluster picture: {} live workers, {} queued tasks", model.liveWorkers(), model.queueDepth());
        scheduleReconcile();
    }

    private void scheduleReconcile() {
        if (!reconcileQueued) {
            reconcileQueued = true;
            submit(() -> {
                reconcileQueued = false;
                reconcile();
            });
        }
    }

    private void reconcile() {
        if (!writable()) {
            return;
        }
        if (currentSession() != sessionId) {
            // Our election node belongs to a session we no longer hold; the fence protects the writes, but there is
            // no point in trying: the latch will tell us we are not the leader.
            end("the ZooKeeper session changed; leadership belonged to the old one");
            return;
        }
        cancellations.handle();
        recovery.recover().ifPresent(this::reconcileIn);
        assigner.readArrivals();
        assigner.assignReady();
        model.queue().nextDue().ifPresent(due -> reconcileIn(Duration.between(clock.instant(), due)));
        cancellations.untilNextLook().ifPresent(this::reconcileIn);
        gauges.update(model.queue());
    }

    /**
     * A look at the cluster again after {@code wait}, when nothing else happens sooner: a delay, a grace, ends. One
     * wake-up at a time, the earliest asked for: every round asks again for what is still ahead.
     */
    private void reconcileIn(Duration wait) {
        Instant at = clock.instant().plus(wait.isNegative() ? Duration.ZERO : wait);
        if (wakeUpAt != null && !at.isBefore(wakeUpAt)) {
            return;
        }
        wakeUpAt = at;
        submitLater(() -> {
            if (at.equals(wakeUpAt)) {
                wakeUpAt = null;
            }
            scheduleReconcile();
        }, Duration.between(clock.instant(), at));
    }

    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return -1;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void submit(Step step) {
        submitLater(step, Duration.ZERO);
    }

    private void submitLater(Step step, Duration delay) {
        if (state == State.ENDED || thread.isShutdown()) {
            return;
        }
        try {
            thread.schedule(() -> {
                try {
                    step.run();
                } catch (Exception e) {
                    // Nothing a foreign client writes may stop the master: log and carry on with the next event.
                    log.warn("active master step failed: {}", e.toString());
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // term over
        }
    }
}
