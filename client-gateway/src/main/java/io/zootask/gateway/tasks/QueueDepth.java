package io.zootask.gateway.tasks;

import io.zootask.protocol.ZNodes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * How many tasks wait in {@code /tasks}, refreshed in the background every 200 ms from the parent's stat: the queue
 * bound is checked without a ZooKeeper round trip on each submission, at the cost of admitting at most 200 ms worth
 * of submissions past it.
 */
@Component
class QueueDepth implements DisposableBean {

    private final AtomicInteger depth = new AtomicInteger();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-depth");
        t.setDaemon(true);
        return t;
    });

    public QueueDepth(CuratorFramework client) {
        refresher.scheduleWithFixedDelay(() -> {
            if (client.getZookeeperClient().isConnected()) {
                try {
                    client.checkExists().inBackground((c, event) -> {
                        if (event.getStat() != null) {
                            depth.set(event.getStat().getNumChildren());
                        }
                    }).forPath(ZNodes.TASKS);
                } catch (Exception ignored) {
                    // next round
                }
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    public int current() {
        return depth.get();
    }

    @Override
    public void destroy() {
        refresher.shutdownNow();
    }
}
