package io.zootask.gateway.tasks;

import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last tasks this gateway created, as it answered them (queued). The usual client POSTs and then long-polls the
 * task it was given; for those, this spares the look through {@code /status}, {@code /tasks} and {@code /assign} that
 * finding an arbitrary task costs (several ZooKeeper reads), since it is known to exist and who submitted it.
 *
 * <p>Only used to start a wait: what a client is finally answered is always read from ZooKeeper. Bounded: the oldest
 * entry goes when a new one would pass {@code capacity}, and an entry keeps neither command nor output.
 */
final class RecentSubmissions {

    private final int capacity;
    private final Map<String, TaskView> byId = new ConcurrentHashMap<>();
    private final Queue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    RecentSubmissions(int capacity) {
        this.capacity = capacity;
    }

    void add(TaskView task) {
        if (byId.put(task.id(), task.brief()) == null) {
            order.add(task.id());
            if (size.incrementAndGet() > capacity) {
                String oldest = order.poll();
                if (oldest != null) {
                    byId.remove(oldest);
                    size.decrementAndGet();
                }
            }
        }
    }

    Optional<TaskView> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }
}
