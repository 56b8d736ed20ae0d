package io.zootask.worker.execution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills what tasks that have just ended left behind, for all of them together: each caller waits for a pass over
 * {@code /proc} that began after it asked, and one pass serves every task that ended meanwhile. One pass per task
 * cost one read per process on the machine for each task, so with many tasks at once the total grew with the square
 * of their number (profiled: half of a worker's CPU for {@code true} at 64 slots).
 *
 * <p>The sweeper may be busy a quarter of the time on average (a credit of sweeping time that grows by a quarter of
 * the time passed, up to {@value #MAX_CREDIT_MILLIS} ms): tasks that end now and then are swept at once; when tasks
 * end faster than that allows, the next pass waits until its credit is back, and serves all that ended meanwhile.
 */
final class LeftoverSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeftoverSweeper.class);
    /** Rounds for one id, for processes forked while the previous round killed. */
    private static final int ROUNDS = 3;
    /** Wall time per unit of sweeping time: 4, a quarter of one core at most, on average. */
    private static final long IDLE_FACTOR = 4;
    static final long MAX_CREDIT_MILLIS = 50;
    private static final long MAX_CREDIT_NANOS = MAX_CREDIT_MILLIS * 1_000_000;

    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    /**
     * The task processes this worker started that have not been seen to exit: each carries its own, running task's
     * id, never one of an ended task, so a sweep need not read them (with many slots, most processes on the
     * machine). A pid leaves this set as soon as its exit is seen; for a leftover to hide behind one, the kernel would
     * have had to hand out that pid again meanwhile, which it does only after going round every other pid.
     */
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    /**
     * The task processes this worker has just reaped, and when: their {@code /proc} entries vanish at that moment, so
     * a sweep that listed them a moment before would fail to read them, and failing costs more than reading. A pid
     * stays here for {@value #REAPED_MILLIS} ms; for another process to have it meanwhile, the kernel would have had
     * to go round every other pid within that time (32 768 of them by default: 30 s at a thousand tasks a second).
     */
    private final Map<Long, Long> reaped = new ConcurrentHashMap<>();
    static final long REAPED_MILLIS = 1000;
    private static final long REAPED_NANOS = REAPED_MILLIS * 1_000_000;
    private static final int MAX_REAPED = 4096;
    private final ProcfsScan scan = new ProcfsScan();

    private record Request(String executionId, CompletableFuture<Integer> killed) {
    }

    LeftoverSweeper() {
        Thread thread = new Thread(this::loop, "leftover-sweeper");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Kills the processes that carry {@code executionId} (a task whose process has ended) and returns how many; waits
     * for that. Not interruptible (it runs on the way out of a task, however it ends): an interrupt is kept for the
     * caller.
     */
    int killLeftovers(String executionId) {
        if (!ProcfsScan.available()) {
            return 0;
        }
        Request request = new Request(executionId, new CompletableFuture<>());
        requests.add(request);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return request.killed().get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return 0;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void started(long pid) {
        running.add(pid);
    }

    /**
     * The process {@code pid} is gone from the running ones: {@code reaped} if its exit status was collected (its pid
     * is free from now on), not if it was only given up.
     */
    void exited(long pid, boolean reaped) {
        if (running.remove(pid) && reaped) {
            long now = System.nanoTime();
            this.reaped.put(pid, now);
            if (this.reaped.size() > MAX_REAPED) { // tasks that end without a sweep (killed, cancelled) add too
                forgetReapedBefore(now - REAPED_NANOS);
            }
        }
    }

    private boolean mayBeSkipped(long pid) {
        return running.contains(pid) || reaped.containsKey(pid);
    }

    private void forgetReapedBefore(long nanos) {
        reaped.values().removeIf(at -> at - nanos < 0);
    }

    private void loop() {
        long credit = MAX_CREDIT_NANOS;
        long creditedAt = System.nanoTime();
        while (true) {
            List<Request> batch = new ArrayList<>();
            try {
                batch.add(requests.take());
            } catch (InterruptedException e) {
                return; // a daemon: only the JVM's end stops it
            }
            long now = System.nanoTime();
            credit = Math.min(MAX_CREDIT_NANOS, credit + (now - creditedAt) / IDLE_FACTOR);
            creditedAt = now;
            if (credit < 0) {
                // busy: let the tasks ending meanwhile join this sweep
                LockSupport.parkNanos(-credit * IDLE_FACTOR);
                now = System.nanoTime();
                credit = Math.min(MAX_CREDIT_NANOS, credit + (now - creditedAt) / IDLE_FACTOR);
                creditedAt = now;
            }
            requests.drainTo(batch);
            long began = System.nanoTime();
            long pausedBefore = scan.pausedNanos();
            try {
                sweep(batch);
            } catch (RuntimeException e) {
                log.warn("cannot look for processes left behind by tasks: {}", e.toString());
                batch.forEach(request -> request.killed().complete(0));
            }
            // waits for a process to finish its exec cost no CPU: they are not sweeping time
            credit -= System.nanoTime() - began - (scan.pausedNanos() - pausedBefore);
        }
    }

    private void sweep(List<Request> batch) {
        Set<String> ids = new HashSet<>();
        batch.forEach(request -> ids.add(request.executionId()));
        Map<String, Integer> killed = new HashMap<>();
        forgetReapedBefore(System.nanoTime() - REAPED_NANOS);
        for (int round = 0; round < ROUNDS && !ids.isEmpty(); round++) {
            Map<String, List<ProcessHandle>> found = scan.find(ids, this::mayBeSkipped);
            ids.retainAll(found.keySet()); // only those with finds get another round
            found.forEach((id, handles) -> {
                for (ProcessHandle handle : handles) {
                    if (handle.destroyForcibly()) {
                        killed.merge(id, 1, Integer::sum);
                    }
                }
            });
        }
        batch.forEach(request -> request.killed().complete(killed.getOrDefault(request.executionId(), 0)));
    }
}
