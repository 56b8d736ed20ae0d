package io.zootask.gateway.events;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each task's changes in the order ZooKeeper made them while the feed reads a znode to describe one of them.
 *
 * <p>Why: a read is answered after the notifications ZooKeeper sent before it. A task the master assigns at once is
 * already gone from {@code /tasks} when the read of its queued znode comes back, and its assignment was told
 * meanwhile; without this, its assigned event went out first, knowing nothing of the task, and its queued event never.
 * So while a read of a task is in flight, that task's later changes wait here and run, in order, once it is answered
 * (one of them may start a read of its own, and the rest wait for that one too). Other tasks are not held up.
 */
final class TaskOrder {

    private static final Logger log = LoggerFactory.getLogger(TaskOrder.class);

    private final CuratorFramework client;
    private final Map<String, Pending> pending = new HashMap<>(); // guarded by itself

    TaskOrder(CuratorFramework client) {
        this.client = client;
    }

    /**
     * Reads {@code path}, a znode of task {@code id}, and gives it to {@code handler} (a node without stat nor data
     * when it is gone); the task's later changes wait until {@code handler} has told this one.
     */
    void read(String id, String path, Consumer<ChildData> handler) {
        reading(id);
        Consumer<ChildData> thenTheRest = node -> {
            try {
                handler.accept(node);
            } finally {
                answered(id);
            }
        };
        try {
            client.getData().inBackground((curator, result) -> ChangeFeed.guarded(path, () -> {
                boolean found = result.getResultCode() == KeeperException.Code.OK.intValue();
                thenTheRest.accept(new ChildData(path, found ? result.getStat() : null,
                        found ? result.getData() : null));
            })).forPath(path);
        } catch (Exception e) {
            log.warn("event feed: could not read {}: {}", path, e.toString());
            ChangeFeed.guarded(path, () -> thenTheRest.accept(new ChildData(path, null, null))); // as if gone
        }
    }

    /** Runs {@code change} now, or after the changes of task {@code id} that wait for a read. */
    void inOrder(String id, Runnable change) {
        synchronized (pending) {
            Pending waiting = pending.get(id);
            if (waiting != null) {
                waiting.later.add(change);
                return;
            }
        }
        change.run();
    }

    /** A read of task {@code id} is in flight: its later changes wait for {@link #answered}. */
    private void reading(String id) {
        synchronized (pending) {
            pending.computeIfAbsent(id, any -> new Pending()).reading = true;
        }
    }

    /** The read of task {@code id} was answered (and its change told): what waited for it runs, in order. */
    private void answered(String id) {
        while (true) {
            Runnable next;
            synchronized (pending) {
                Pending waiting = pending.get(id);
                if (waiting == null) {
                    return;
                }
                waiting.reading = false;
                next = waiting.later.poll();
                if (next == null) {
                    pending.remove(id);
                    return;
                }
            }
            next.run(); // outside the lock: it publishes, and may start a read (then the rest waits for it)
            synchronized (pending) {
                Pending waiting = pending.get(id);
                if (waiting != null && waiting.reading) {
                    return;
                }
            }
        }
    }

    private static final class Pending {
        boolean reading;
        final Deque<Runnable> later = new ArrayDeque<>();
    }
}
