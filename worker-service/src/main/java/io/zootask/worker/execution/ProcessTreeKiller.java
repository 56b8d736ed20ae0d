package io.zootask.worker.execution;

import java.util.List;
import java.util.Set;

/**
 * Kills what a task started: its process, the descendants still attached to it, and the ones already re-parented to
 * init, found by the execution's own {@code ZOOTASK_EXECUTION} variable in {@code /proc/<pid>/environ}. Its hazard
 * is the race with the tree itself: descendants are collected before the parent dies (or they are out of reach),
 * and the leftover search runs a few rounds for processes forked meanwhile.
 */
final class ProcessTreeKiller {

    /** One per worker JVM: there is one /proc to read, whatever the number of runners. */
    private static final LeftoverSweeper SWEEPER = new LeftoverSweeper();

    private ProcessTreeKiller() {
    }

    /** A task's own process, just started: sweeps for other tasks need not read it. */
    static void started(Process process) {
        SWEEPER.started(process.pid());
    }

    /**
     * A task's own process has exited (or is about to be given up): sweeps read its pid again, whatever holds it, a
     * second after its exit status was collected (its entry in {@code /proc} is gone by then) or at once if not.
     */
    static void exited(Process process) {
        SWEEPER.exited(process.pid(), !process.isAlive()); // not alive: the JVM has collected its exit status
    }

    /** A timeout, a cancel, the worker giving up: the tree goes now, without waiting for a shared sweep. */
    static void killTree(Process process, String executionId) {
        // Collect the descendants before the parent dies, or they are re-parented and out of reach.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        // Those already re-parented (their parent exited before), or forked while the tree was being killed.
        ProcfsScan scan = new ProcfsScan();
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> found = scan.find(Set.of(executionId)).getOrDefault(executionId, List.of());
            if (found.isEmpty()) {
                break;
            }
            found.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * After the task's own process has exited: kills the processes whose environment still carries this execution's
     * id, in a sweep shared with the other tasks that ended meanwhile.
     *
     * @return how many were killed
     */
    static int killLeftovers(String executionId) {
        return SWEEPER.killLeftovers(executionId);
    }
}
