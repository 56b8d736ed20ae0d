package io.zootask.master.cluster;

import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The active master's picture of the cluster, kept current from ZooKeeper events rather than by rereading child
 * lists. Touched by one thread only. It may lag ZooKeeper; that is safe because every write the master makes from it
 * is a transaction that re-checks what it assumed (leadership, the worker, the task).
 */
public final class ClusterModel {

    private final Map<String, WorkerInfo> workers = new HashMap<>();
    private final Map<String, Set<String>> assigned = new HashMap<>();
    private final TreeSet<String> queued = new TreeSet<>(ZNodes.TASK_ORDER);
    private final Set<String> running = new java.util.HashSet<>();

    public void clear() {
        workers.clear();
        assigned.clear();
        queued.clear();
        running.clear();
    }

    public void putWorker(WorkerInfo worker) {
        workers.put(worker.id(), worker);
    }

    public void removeWorker(String workerId) {
        workers.remove(workerId);
    }

    public boolean isLive(String workerId) {
        return workers.containsKey(workerId);
    }

    public void addAssignmentParent(String workerId) {
        assigned.computeIfAbsent(workerId, w -> new TreeSet<>(ZNodes.TASK_ORDER));
    }

    public void removeAssignmentParent(String workerId) {
        assigned.remove(workerId);
    }

    public void addAssignment(String workerId, String taskId) {
        assigned.computeIfAbsent(workerId, w -> new TreeSet<>(ZNodes.TASK_ORDER)).add(taskId);
    }

    public void removeAssignment(String workerId, String taskId) {
        Set<String> tasks = assigned.get(workerId);
        if (tasks != null) {
            tasks.remove(taskId);
        }
    }

    /** How many tasks are assigned under {@code /assign/<workerId>} and not yet finished. */
    public int assignmentsOf(String workerId) {
        return assigned.getOrDefault(workerId, Set.of()).size();
    }

    public void addQueued(String taskId) {
        queued.add(taskId);
    }

    public void removeQueued(String taskId) {
        queued.remove(taskId);
    }

    public void addRunning(String taskId) {
        running.add(taskId);
    }

    public void removeRunning(String taskId) {
        running.remove(taskId);
    }

    public boolean isRunning(String taskId) {
        return running.contains(taskId);
    }

    public int queueDepth() {
        return queued.size();
    }

    /** The oldest {@code limit} queued tasks: planning never needs more than there are free slots. */
    public List<String> queuedOldestFirst(int limit) {
        List<String> oldest = new ArrayList<>(Math.min(limit, queued.size()));
        for (String task : queued) {
            if (oldest.size() == limit) {
                break;
            }
            oldest.add(task);
        }
        return oldest;
    }

    public int liveWorkers() {
        return workers.size();
    }

    /** Free slots of each live worker: its slots minus what is assigned to it and not yet finished. */
    public Map<String, Integer> freeSlots() {
        Map<String, Integer> free = new LinkedHashMap<>();
        workers.forEach((id, info) -> {
            int used = assigned.getOrDefault(id, Set.of()).size();
            free.put(id, Math.max(0, info.slots() - used));
        });
        return free;
    }

    /** Assignment parents whose worker is gone, with the tasks still under them. */
    public Map<String, List<String>> orphanedAssignments() {
        Map<String, List<String>> orphans = new LinkedHashMap<>();
        assigned.forEach((worker, tasks) -> {
            if (!workers.containsKey(worker)) {
                orphans.put(worker, new ArrayList<>(tasks));
            }
        });
        return orphans;
    }
}
