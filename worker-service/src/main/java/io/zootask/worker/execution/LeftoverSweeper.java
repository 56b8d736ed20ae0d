package io.zootask.worker.execution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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
 * <p>Passes are spaced so that the sweeper is busy at most a quarter of the time (after a pass of d, the next starts
 * no sooner than 3d later): a task that ends alone is swept at once, tasks that end in a crowd wait a little longer
 * and share the cost.
 */
final class LeftoverSweeper {

    private static final Logger log = LoggerFactory.getLogger(LeftoverSweeper.class);
    /** Rounds for one id, for processes forked while the previous round killed. */
    private static final int ROUNDS = 3;
    private static final int IDLE_FACTOR = 3;

    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
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

    private void loop() {
        while (true) {
            List<Request> batch = new ArrayList<>();
            try {
                batch.add(requests.take());
            } catch (InterruptedException e) {
                return; // a daemon: only the JVM's end stops it
            }
            requests.drainTo(batch);
            long began = System.nanoTime();
            try {
                sweep(batch);
            } catch (RuntimeException e) {
                log.warn("cannot look for processes left behind by tasks: {}", e.toString());
                batch.forEach(request -> request.killed().complete(0));
            }
            long took = System.nanoTime() - began;
            LockSupport.parkNanos(IDLE_FACTOR * took);
        }
    }

    private void sweep(List<Request> batch) {
        Set<String> ids = new HashSet<>();
        batch.forEach(request -> ids.add(request.executionId()));
        Map<String, Integer> killed = new HashMap<>();
        for (int round = 0; round < ROUNDS && !ids.isEmpty(); round++) {
            Map<String, List<ProcessHandle>> found = scan.find(ids);
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
