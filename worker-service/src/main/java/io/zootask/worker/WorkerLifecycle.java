package io.zootask.worker;

import io.zootask.worker.assignments.AssignmentWatcher;
import io.zootask.worker.completion.AssignmentRunner;
import io.zootask.worker.registration.WorkerRegistration;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the worker once the application is up, and drains it on shutdown (SIGTERM): withdraw from {@code /workers}
 * first so nothing new arrives, let running tasks finish within the grace period, then kill what is left and let the
 * session close, so the master re-queues those tasks.
 */
class WorkerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerLifecycle.class);

    private final WorkerRegistration registration;
    private final AssignmentWatcher watcher;
    private final AssignmentRunner runner;
    private final Duration grace;
    private volatile boolean running;

    WorkerLifecycle(WorkerRegistration registration, AssignmentWatcher watcher, AssignmentRunner runner,
                    Duration grace) {
        this.registration = registration;
        this.runner = runner;
        this.watcher = watcher;
        this.grace = grace;
    }

    @Override
    public void start() {
        registration.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        log.info("draining: no new assignments; waiting up to {} for running tasks", grace);
        // Mark what runs here before leaving /workers: the master re-queues unmarked assignments of departed workers.
        runner.stopAdmittingAndMarkInFlight();
        registration.withdraw();
        try {
            if (!watcher.stopAccepting(grace.toMillis())) {
                log.warn("grace period over: killing the tasks still running; the master will re-queue them");
                registration.abandon("drain grace period over");
            }
            watcher.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("drained");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stop before the web server and the ZooKeeper client: the drain needs both.
        return Integer.MAX_VALUE - 1000;
    }
}
