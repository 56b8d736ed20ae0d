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
    private final TaskQueue queue = new TaskQueue();
    private final Set<String> running = new java.util.HashSet<>();
    private final Set<String> cancelRequests = new java.util.LinkedHashSet<>();

    public void clear() {
        workers.clear();
        assigned.clear();
        queue.clear();
        running.clear();
        cancelRequests.clear();
    }

    /** The queued tasks, by kind and order. */
    public TaskQueue queue() {
        return queue;
    }

    /** The live workers, by id. */
    public Map<String, WorkerInfo> workers() {
        return java.util.Collections.unmodifiableMap(workers);
    }

    /** Someone asked for this task back ({@code /cancel/<id>} exists). */
    public void addCancelRequest(String taskId) {
        cancelRequests.add(taskId);
    }

    public void removeCancelRequest(String taskId) {
        cancelRequests.remove(taskId);
    }

    public boolean isCancelRequested(String taskId) {
        return cancelRequests.contains(taskId);
    }

    public List<String> cancelRequests() {
        return new ArrayList<>(cancelRequests);
    }

    /** The worker a task is assigned to, if it is. */
    public java.util.Optional<String> assigneeOf(String taskId) {
        for (Map.Entry<String, Set<String>> entry : assigned.entrySet()) {
            if (entry.getValue().contains(taskId)) {
                return java.util.Optional.of(entry.getKey());
            }
        }
        return java.util.Optional.empty();
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

    /** A task znode in {@code /tasks}: its data is read before it is planned. */
    public void addQueued(String taskId) {
        queue.add(taskId);
    }

    public void removeQueued(String taskId) {
        queue.remove(taskId);
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
        return queue.size();
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
