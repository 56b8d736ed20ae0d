package io.zootask.worker.completion;

import io.zootask.protocol.ZNodes;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.CuratorCacheStorage;

/**
 * The requests to take tasks back, {@code /cancel/<id>}, as Curator's cache of that folder keeps them: one persistent
 * watch, rebuilt after a reconnect (a request made during an outage arrives as created then), and a local answer to
 * "is this task cancelled?" that costs no round trip, so it can be asked right before each process starts. The
 * cache is updated before its listeners are told, so a listener that finds a task not yet admitted knows that any
 * later admission will see the request.
 */
public final class CancelRequests implements AutoCloseable {

    private final CuratorCache cache;

    public CancelRequests(CuratorFramework client) {
        // the data is whatever the requester wrote (zkCli writes nothing): only the names matter
        this.cache = CuratorCache.builder(client, ZNodes.CANCEL)
                .withStorage(CuratorCacheStorage.dataNotCached()).build();
    }

    /** Tells {@code handler}, on {@code executor}, of each task whose cancel is requested (existing ones included). */
    public void onRequest(Consumer<String> handler, Executor executor) {
        cache.listenable().addListener(CuratorCacheListener.builder().forCreates(node -> {
            if (ZNodes.CANCEL.equals(ZNodes.parentOf(node.getPath()))) {
                handler.accept(ZNodes.nameOf(node.getPath()));
            }
        }).build(), executor);
    }

    public void start() {
        cache.start();
    }

    boolean isRequested(String taskId) {
        return cache.get(ZNodes.cancel(taskId)).isPresent();
    }

    @Override
    public void close() {
        cache.close();
    }
}
