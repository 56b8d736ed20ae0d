package io.zootask.gateway.tasks;

import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ZNodes;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The ends of tasks as the gateway's one persistent recursive watch on {@code /status} tells them (each
 * {@code /status/<id>} created), for the long-polls waiting on them: a waiting poll costs ZooKeeper no watch and no
 * request of its own until its task ends.
 *
 * <p>A poll is registered after the gateway last knew its task unfinished (it created the task, or read it). Its end
 * may have been told in between: so the last {@value #REMEMBERED} ends are remembered, and {@link #onEnd} says
 * whether the task ended since that instant, as long as the watch was set all along and no end of that period was
 * forgotten; otherwise it does not know, and the caller reads the status. After the watch was interrupted (a lost
 * connection: changes in between went unseen) every waiting poll is told to look again.
 */
@Component
class TaskEnds implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TaskEnds.class);
    /**
     * Seconds of ends at the fastest this machine runs tasks, far longer than a client takes from POST to GET; a poll
     * that comes later still gets its answer, with one read more. About 2 MB of heap.
     */
    static final int REMEMBERED = 16_384;

    /** Whether a task ended since a given instant. */
    enum Known { ENDED, NOT_ENDED, UNKNOWN }

    private final ZooKeeperAccess zk;
    private final Clock clock;
    private final Map<String, Set<Runnable>> waiting = new ConcurrentHashMap<>();
    private final Set<String> ended = new HashSet<>(); // guarded by this, as the two below
    private final ArrayDeque<Remembered> order = new ArrayDeque<>();
    /** From when on every end is remembered; none before the watch is set. */
    private Instant rememberedSince = Instant.MAX;
    private PersistentWatcher watcher;
    private volatile boolean running;

    TaskEnds(ZooKeeperAccess zk, Clock clock, MeterRegistry meters) {
        this.zk = zk;
        this.clock = clock;
        Gauge.builder("zootask.gateway.longpolls.tasks", waiting, Map::size)
                .description("tasks that long-polls of this gateway wait for").register(meters);
    }

    /**
     * Runs {@code onEnd} (on ZooKeeper's event thread: it must only hand work off) when task {@code id} ends, or when
     * the gateway may have missed its end, until the registration is closed; and says whether the task ended since
     * {@code since} (an instant of this gateway's clock at which it was known unfinished), in which case
     * {@code onEnd} may not run at all. Registering and looking back are one step, so an end is either looked back
     * on or told to the registration.
     */
    synchronized Registration onEnd(String id, Instant since, Runnable onEnd) {
        // added inside compute, as the close below removes inside compute: a set emptied and dropped meanwhile
        // must not take this registration with it
        waiting.compute(id, (any, those) -> {
            Set<Runnable> polls = those == null ? new CopyOnWriteArraySet<>() : those;
            polls.add(onEnd);
            return polls;
        });
        Known known = ended.contains(id) ? Known.ENDED
                : since.isAfter(rememberedSince) ? Known.NOT_ENDED : Known.UNKNOWN;
        return new Registration(known, () -> waiting.computeIfPresent(id, (any, those) -> {
            those.remove(onEnd);
            return those.isEmpty() ? null : those;
        }));
    }

    /** A poll's place among the waiting, and what was known of its task's end when it took it. */
    record Registration(Known known, Runnable close) {
    }

    private void ended(String id) {
        Instant now = clock.instant();
        Set<Runnable> polls;
        synchronized (this) {
            ended.add(id);
            order.addLast(new Remembered(id, now));
            if (order.size() > REMEMBERED) {
                Remembered forgotten = order.removeFirst();
                ended.remove(forgotten.id());
                rememberedSince = later(rememberedSince, forgotten.at()); // every end from then on is still here
            }
            polls = waiting.get(id);
        }
        if (polls != null) {
            polls.forEach(Runnable::run);
        }
    }

    /** The watch was set (again): what happened while it was not is unknown, so every waiting poll looks. */
    private void watchSet() {
        List<Set<Runnable>> polls;
        synchronized (this) {
            rememberedSince = rememberedSince.equals(Instant.MAX) ? clock.instant()
                    : later(rememberedSince, clock.instant());
            polls = List.copyOf(waiting.values());
        }
        polls.forEach(those -> those.forEach(Runnable::run));
    }

    /** A wall clock stepped back must not make the past look remembered. */
    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * Stops after the web server's graceful shutdown (a lower phase stops later): polls still being answered while
     * it drains hear of their tasks' ends until then.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public synchronized void start() {
        watcher = new PersistentWatcher(zk.client(), ZNodes.STATUS, true);
        watcher.getListenable().addListener(event -> {
            String path = event.getPath();
            if (event.getType() == Watcher.Event.EventType.NodeCreated && path != null
                    && ZNodes.STATUS.equals(ZNodes.parentOf(path))) {
                ended(ZNodes.nameOf(path));
            }
        });
        watcher.getResetListenable().addListener(this::watchSet);
        watcher.start();
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        rememberedSince = Instant.MAX;
        ended.clear();
        order.clear();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                log.debug("closing the status watch: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private record Remembered(String id, Instant at) {
    }
}
