package io.zootask.master.retention;

import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names under {@code /status}, oldest task first, each with when this master first knew of it, kept up to date
 * by a persistent recursive watch while the master leads: the retention sweep reads them here. Listing
 * {@code /status} at every sweep (tens of thousands of names under load, as retention keeps every status for a grace
 * period) had ZooKeeper serialise, and the master receive and index, an answer of up to a megabyte each time: large
 * allocations in both JVMs, whose collections (G1 concurrent cycles in ZooKeeper and in the master at the same moment,
 * on 2 cores) stalled tasks by 100-200 ms. Now {@code /status} is listed once when the watch is set (at the start of
 * a term, and again after a lost connection, when changes may have gone unseen).
 *
 * <p>The watch's events and the answer to the list arrive on ZooKeeper's one event thread in the order the server
 * sent them, so the list replaces what it lists at the moment it was answered, and every change after it follows.
 */
final class StatusIndex {

    private static final Logger log = LoggerFactory.getLogger(StatusIndex.class);

    private final CuratorFramework client;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Long> firstSeen = new ConcurrentSkipListMap<>(ZNodes.TASK_ORDER);
    private PersistentWatcher watcher; // guarded by this
    /** The watch is set and the list since it answered: the index is what /status holds. */
    private volatile boolean current;

    StatusIndex(CuratorFramework client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Follows {@code /status} from now on. */
    synchronized void start() {
        if (watcher != null) {
            return;
        }
        PersistentWatcher started = new PersistentWatcher(client, ZNodes.STATUS, true);
        started.getListenable().addListener(this::changed);
        // called each time the watch is set: at start, and after each lost connection
        started.getResetListenable().addListener(this::listInBackground);
        watcher = started;
        started.start();
    }

    synchronized void stop() {
        current = false;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                log.debug("closing the /status watch: {}", e.toString());
            }
            watcher = null;
        }
    }

    /**
     * The statuses, oldest task first, with when each was first known: from the watch while it is current; none
     * while the watch is being set (its list is on the way, and a list of this thread's own would race the watch's
     * events); listed now when nothing watches (a sweep outside a term).
     */
    synchronized NavigableMap<String, Long> statuses() throws Exception {
        if (watcher != null) {
            return current ? firstSeen : Collections.emptyNavigableMap();
        }
        List<String> names;
        try {
            names = client.getChildren().forPath(ZNodes.STATUS);
        } catch (KeeperException.NoNodeException none) {
            names = List.of();
        }
        replaceWith(names);
        return firstSeen;
    }

    /** A status this master deleted: gone now, whatever the watch tells later. */
    void forget(String name) {
        firstSeen.remove(name);
    }

    int size() {
        return firstSeen.size();
    }

    boolean isCurrent() {
        return current;
    }

    private void changed(org.apache.zookeeper.WatchedEvent event) {
        String path = event.getPath();
        if (path == null || !ZNodes.STATUS.equals(ZNodes.parentOf(path))) {
            return; // /status itself, or below a status (a foreign client's child)
        }
        String name = ZNodes.nameOf(path);
        if (event.getType() == Watcher.Event.EventType.NodeCreated && ZNodes.isValidName(name)) {
            firstSeen.putIfAbsent(name, clock.millis());
        } else if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            firstSeen.remove(name);
        }
    }

    private void listInBackground() {
        current = false;
        try {
            client.getChildren().inBackground((curator, answer) -> {
                if (answer.getResultCode() == KeeperException.Code.OK.intValue()) {
                    replaceWith(answer.getChildren());
                    current = true;
                } else {
                    // the next sweep lists for itself; the next time the watch is set, this lists again
                    log.info("could not list {}: {}", ZNodes.STATUS,
                            KeeperException.Code.get(answer.getResultCode()));
                }
            }).forPath(ZNodes.STATUS);
        } catch (Exception e) {
            log.info("could not list {}: {}", ZNodes.STATUS, e.toString());
        }
    }

    /** Becomes {@code names}: the ones known keep when they were first known, new ones are known from now. */
    private void replaceWith(List<String> names) {
        Set<String> listed = new HashSet<>(names);
        firstSeen.keySet().retainAll(listed);
        long now = clock.millis();
        for (String name : names) {
            if (ZNodes.isValidName(name)) {
                firstSeen.putIfAbsent(name, now);
            }
        }
    }
}
