package io.zootask.master.active;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.TaskQueue;
import io.zootask.protocol.TaskSpec;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue as the metrics show it, set by the active master after each round and kept by the election across
 * terms: {@code zootask.queue.depth} (every queued task), {@code zootask.queue.delayed} (waiting for their
 * {@code notBefore}) and {@code zootask.queue.depth.priority{priority=0..9}} (ready tasks of each priority).
 */
public final class QueueGauges {

    private final AtomicInteger depth = new AtomicInteger();
    private final AtomicInteger delayed = new AtomicInteger();
    private final AtomicInteger[] byPriority = new AtomicInteger[TaskSpec.MAX_PRIORITY + 1];

    public QueueGauges(MeterRegistry meters) {
        meters.gauge("zootask.queue.depth", depth);
        meters.gauge("zootask.queue.delayed", delayed);
        for (int priority = 0; priority < byPriority.length; priority++) {
            AtomicInteger ready = new AtomicInteger();
            byPriority[priority] = ready;
            Gauge.builder("zootask.queue.depth.priority", ready, AtomicInteger::get)
                    .tag("priority", String.valueOf(priority))
                    .description("ready tasks of this priority").register(meters);
        }
    }

    public int depth() {
        return depth.get();
    }

    void update(TaskQueue queue) {
        depth.set(queue.size());
        delayed.set(queue.delayedCount());
        for (int priority = 0; priority < byPriority.length; priority++) {
            byPriority[priority].set(queue.readyWithPriority(priority));
        }
    }
}
