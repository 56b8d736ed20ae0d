package io.zootask.master.assignment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Decides which worker gets which queued task. A pure function: oldest task first, each to the worker with the most
 * free slots (ties to the smaller id, so the plan is deterministic); a worker with no free slot gets nothing.
 */
final class AssignmentPlanner {

    record Assignment(String taskId, String workerId) {
    }

    private AssignmentPlanner() {
    }

    /**
     * @param queuedOldestFirst tasks waiting, in queue order
     * @param freeSlots         per live worker, how many more tasks it can take now
     */
    static List<Assignment> plan(List<String> queuedOldestFirst, Map<String, Integer> freeSlots) {
        record Free(String workerId, int slots) {
        }
        PriorityQueue<Free> workers = new PriorityQueue<>(
                Comparator.comparingInt(Free::slots).reversed().thenComparing(Free::workerId));
        freeSlots.forEach((worker, slots) -> {
            if (slots > 0) {
                workers.add(new Free(worker, slots));
            }
        });
        List<Assignment> plan = new ArrayList<>();
        for (String task : queuedOldestFirst) {
            Free best = workers.poll();
            if (best == null) {
                break;
            }
            plan.add(new Assignment(task, best.workerId()));
            if (best.slots() > 1) {
                workers.add(new Free(best.workerId(), best.slots() - 1));
            }
        }
        return plan;
    }
}
