package io.zootask.master.assignment;

import io.zootask.master.cluster.QueuedTask;
import io.zootask.master.cluster.TaskQueue;
import io.zootask.protocol.Routing;
import io.zootask.protocol.WorkerInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides which worker gets which ready task. Highest priority first, oldest first within a priority, each to the
 * matching worker with the most free slots (ties to the smaller id, so the plan is deterministic); a worker with no
 * free slot gets nothing, and a task no free worker may run ({@link Routing}) waits.
 *
 * <p><b>No starvation:</b> one assignment in {@value #SHARE} goes to the oldest ready task whatever its priority, so
 * a flood of urgent tasks slows the others down to a tenth of the assignments but never stops them.
 *
 * <p>It remembers only how many assignments went by since the oldest task last had its turn; touched by the active
 * master's one thread only.
 */
final class AssignmentPlanner {

    static final int SHARE = 10;

    record Assignment(QueuedTask task, String workerId) {
        String taskId() {
            return task.id();
        }
    }

    private int sinceOldest;

    /**
     * @param groups    the ready tasks, grouped by what they require
     * @param workers   the live workers
     * @param freeSlots per live worker, how many more tasks it can take now
     * @param held      tasks not to assign now (a cancel was asked for)
     */
    List<Assignment> plan(Collection<TaskQueue.Group> groups, Map<String, WorkerInfo> workers,
                          Map<String, Integer> freeSlots, Predicate<String> held) {
        Map<String, Integer> free = new HashMap<>();
        freeSlots.forEach((worker, slots) -> {
            if (slots > 0 && workers.containsKey(worker)) {
                free.put(worker, slots);
            }
        });
        int totalFree = free.values().stream().mapToInt(Integer::intValue).sum();
        List<Cursor> active = new ArrayList<>();
        for (TaskQueue.Group group : groups) {
            List<String> eligible = new ArrayList<>();
            free.keySet().forEach(worker -> {
                if (Routing.runsOn(group.requires(), workers.get(worker))) {
                    eligible.add(worker);
                }
            });
            if (!eligible.isEmpty()) {
                eligible.sort(null);
                active.add(new Cursor(group, eligible));
            }
        }
        Set<String> picked = new HashSet<>();
        Predicate<QueuedTask> skip = task -> picked.contains(task.id()) || held.test(task.id());
        List<Assignment> plan = new ArrayList<>();
        while (totalFree > 0 && !active.isEmpty()) {
            boolean oldestsTurn = sinceOldest >= SHARE - 1;
            Cursor best = null;
            QueuedTask next = null;
            for (Iterator<Cursor> it = active.iterator(); it.hasNext(); ) {
                Cursor cursor = it.next();
                QueuedTask head = oldestsTurn ? cursor.nextByAge(skip) : cursor.nextByPriority(skip);
                if (head == null) {
                    it.remove();
                    continue;
                }
                if (next == null || (oldestsTurn ? QueuedTask.BY_AGE : QueuedTask.BY_PRIORITY).compare(head, next) < 0) {
                    best = cursor;
                    next = head;
                }
            }
            if (best == null) {
                break;
            }
            String worker = best.mostFree(free);
            if (worker == null) {
                active.remove(best); // every worker this group may use is full
                continue;
            }
            plan.add(new Assignment(next, worker));
            picked.add(next.id());
            free.merge(worker, -1, Integer::sum);
            totalFree--;
            sinceOldest = oldestsTurn ? 0 : sinceOldest + 1;
        }
        return plan;
    }

    /** Where planning stands in one group: its next tasks in both orders, and the workers it may use. */
    private static final class Cursor {
        private final Head byPriority;
        private final Head byAge;
        private final List<String> workers;

        Cursor(TaskQueue.Group group, List<String> workers) {
            this.byPriority = new Head(group.byPriority().iterator());
            this.byAge = new Head(group.byAge().iterator());
            this.workers = workers;
        }

        QueuedTask nextByPriority(Predicate<QueuedTask> skip) {
            return byPriority.next(skip);
        }

        QueuedTask nextByAge(Predicate<QueuedTask> skip) {
            return byAge.next(skip);
        }

        String mostFree(Map<String, Integer> free) {
            String best = null;
            int most = 0;
            for (String worker : workers) {
                int slots = free.getOrDefault(worker, 0);
                if (slots > most) {
                    best = worker;
                    most = slots;
                }
            }
            return best;
        }
    }

    /** The first task of an order that is not to be skipped; it stays the head until it is skipped too. */
    private static final class Head {
        private final Iterator<QueuedTask> order;
        private QueuedTask head;

        Head(Iterator<QueuedTask> order) {
            this.order = order;
        }

        QueuedTask next(Predicate<QueuedTask> skip) {
            while (head == null || skip.test(head)) {
                if (!order.hasNext()) {
                    return null;
                }
                head = order.next();
            }
            return head;
        }
    }
}
