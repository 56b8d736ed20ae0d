package io.zootask.gateway.events;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * {@code GET /cluster/history}: tasks submitted and finished per interval, and the queue depth at its end, over the
 * last few minutes, counted from the {@link ChangeFeed}'s events (nothing is read from ZooKeeper for it), so a
 * dashboard opened now shows the recent past at once.
 */
@Component
class ActivityHistory implements DisposableBean {

    /** One interval: what was submitted and finished in it, and the queue's depth when it ended. */
    record Point(Instant at, long submitted, long finished, int queueDepth) {
    }

    /** The answer: points oldest first, {@code intervalSeconds} apart. */
    record History(long intervalSeconds, List<Point> points) {
    }

    private final Clock clock;
    private final long intervalSeconds;
    private final int capacity;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicInteger queueDepth = new AtomicInteger();
    private final Deque<Point> points = new ArrayDeque<>(); // guarded by this
    private final ScheduledExecutorService ticks;

    ActivityHistory(EventsProperties properties, Clock clock) {
        this.clock = clock;
        this.intervalSeconds = Math.max(1, properties.historyInterval().toSeconds());
        this.capacity = properties.historyPoints();
        this.ticks = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "activity-history");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.historyInterval().toMillis();
        ticks.scheduleAtFixedRate(this::close, every, every, TimeUnit.MILLISECONDS);
    }

    void submitted() {
        submitted.incrementAndGet();
    }

    void finished() {
        finished.incrementAndGet();
    }

    void queueDepth(int depth) {
        queueDepth.set(depth);
    }

    synchronized History history() {
        return new History(intervalSeconds, List.copyOf(new ArrayList<>(points)));
    }

    /** Ends the current interval. */
    void close() {
        Point point = new Point(clock.instant(), submitted.getAndSet(0), finished.getAndSet(0), queueDepth.get());
        synchronized (this) {
            points.addLast(point);
            while (points.size() > capacity) {
                points.removeFirst();
            }
        }
    }

    @Override
    public void destroy() {
        ticks.shutdownNow();
    }
}
