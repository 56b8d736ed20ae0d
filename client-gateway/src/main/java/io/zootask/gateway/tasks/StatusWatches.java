package io.zootask.gateway.tasks;

import io.zootask.protocol.ZNodes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.zookeeper.Watcher;

/**
 * The watches long-polls set on {@code /status/<id>}, and their end: when the last poll waiting for a task ends,
 * the watch goes from the server too.
 *
 * <p>Why the count: ZooKeeper removes one watcher of a path only on the client ({@code removeWatches} with a watcher
 * sends {@code checkWatches}: the server keeps its watch, as other watchers of the session may share it), until it
 * fires or the session ends; only removing all of a path's watches removes the server's. So that is done once no
 * poll of this gateway waits on the path any more, and never while one does. Counting and the requests to ZooKeeper
 * happen under the path's entry of the map, so that a poll arriving for the same task is either counted before a
 * removal is sent, or sends its own watch after it.
 */
final class StatusWatches {

    private final ConcurrentMap<String, Integer> waitingPolls = new ConcurrentHashMap<>();

    /** Counts one more poll waiting for task {@code id} and sets its {@code watcher}, answering to {@code exists}. */
    void watch(CuratorFramework client, String id, Watcher watcher, BackgroundCallback exists) throws Exception {
        String path = ZNodes.status(id);
        try {
            waitingPolls.compute(path, (p, polls) -> {
                try {
                    client.checkExists().usingWatcher(watcher).inBackground(exists).forPath(p);
                } catch (Exception e) {
                    throw new WatchFailed(e);
                }
                return polls == null ? 1 : polls + 1;
            });
        } catch (WatchFailed failed) {
            throw (Exception) failed.getCause();
        }
    }

    /**
     * One poll set by {@link #watch} ended: its watcher goes, and the server's watch with the last one. A watcher
     * that {@code fired} is gone from both already (its path's status appeared: no poll waits on it any more).
     */
    void release(CuratorFramework client, String id, Watcher watcher, boolean fired) {
        waitingPolls.compute(ZNodes.status(id), (path, polls) -> {
            int left = polls == null ? 0 : polls - 1;
            if (!fired) {
                try {
                    // quietly: it may have fired meanwhile
                    if (left == 0) {
                        client.watchers().removeAll().ofType(Watcher.WatcherType.Any).quietly().inBackground()
                                .forPath(path);
                    } else {
                        client.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).quietly().inBackground()
                                .forPath(path);
                    }
                } catch (Exception ignored) {
                    // the watch fires once at most, and is gone with the session anyway
                }
            }
            return left == 0 ? null : left;
        });
    }

    private static final class WatchFailed extends RuntimeException {
        WatchFailed(Exception cause) {
            super(cause);
        }
    }
}
