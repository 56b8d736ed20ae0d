package io.zootask.worker.assignments;

import io.zootask.protocol.ZNodes;
import io.zootask.worker.completion.AssignmentRunner;
import io.zootask.worker.execution.ProcessRunner;
import io.zootask.worker.registration.Registration;
import io.zootask.worker.registration.RegistrationListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@code /assign/<me>} with one persistent watch (no re-arming, no missed children between two one-shot
 * watches) and hands each new assignment to a pool of {@code slots} threads; passes the cancel requests on to the
 * runner, on threads of their own so that no cancel waits for a slot.
 */
public class AssignmentWatcher implements RegistrationListener {

    private static final Logger log = LoggerFactory.getLogger(AssignmentWatcher.class);

    private final CuratorFramework client;
    private final AssignmentRunner runner;
    private final ProcessRunner processes;
    private final ThreadPoolExecutor pool;
    /** Cancels are handled apart from the slots: a cancel must not wait for a slot to free. */
    private final ExecutorService cancelling;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Watching> watching = new AtomicReference<>();
    private volatile boolean accepting = true;

    private record Watching(Registration registration, Watcher watcher) {
    }

    public AssignmentWatcher(CuratorFramework client, AssignmentRunner runner, ProcessRunner processes, int slots) {
        this.client = client;
        this.runner = runner;
        this.processes = processes;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger m = new AtomicInteger();
        this.cancelling = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cancel-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.RECONNECTED) {
                Watching w = watching.get();
                if (w != null) {
                    // Same session: the persistent watch survived, but events during the outage may not have.
                    resync(w.registration());
                }
            }
        });
    }

    @Override
    public void registered(Registration registration) {
        Watcher watcher = event -> onEvent(registration, event);
        try {
            client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher)
                    .forPath(registration.assignmentsPath());
        } catch (Exception e) {
            log.warn("cannot watch {}: {}", registration.assignmentsPath(), e.toString());
        }
        watching.set(new Watching(registration, watcher));
        resync(registration);
    }

    @Override
    public void abandoned(Registration registration) {
        // First and at once: the session may be expiring, and the master will then hand these tasks to others.
        int killed = processes.killAll();
        if (killed > 0) {
            log.warn("killed {} running task process(es) of abandoned registration {}", killed, registration);
        }
        Watching w = watching.getAndSet(null);
        if (w != null) {
            try {
                client.watchers().remove(w.watcher()).ofType(Watcher.WatcherType.Any).locally()
                        .forPath(registration.assignmentsPath());
            } catch (Exception ignored) {
                // gone with the session anyway; onEvent also ignores abandoned registrations
            }
        }
    }

    /** Where {@link #cancelRequested} is to be called. */
    public Executor cancelExecutor() {
        return cancelling;
    }

    /** A cancel of {@code taskId} was requested: if it is assigned here, it is taken back. */
    public void cancelRequested(String taskId) {
        Watching w = watching.get();
        if (w == null || w.registration().isAbandoned() || !ZNodes.isValidName(taskId)) {
            return; // not registered: nothing is ours (what was is re-queued and cancelled by the master)
        }
        try {
            runner.cancel(w.registration(), taskId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("cancel of {} failed unexpectedly", taskId, e);
        }
    }

    public int busySlots() {
        return pool.getActiveCount();
    }

    public int slots() {
        return pool.getMaximumPoolSize();
    }

    /** Stops taking new assignments and waits up to {@code grace} for the running ones. */
    public boolean stopAccepting(long graceMillis) throws InterruptedException {
        accepting = false;
        pool.shutdown();
        return pool.awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
    }

    public void shutdownNow() throws InterruptedException {
        cancelling.shutdownNow();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void onEvent(Registration registration, WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.NodeCreated && event.getPath() != null
                && ZNodes.parentOf(event.getPath()).equals(registration.assignmentsPath())) {
            submit(registration, ZNodes.nameOf(event.getPath()));
        }
    }

    private void resync(Registration registration) {
        try {
            List<String> children = client.getChildren().forPath(registration.assignmentsPath());
            children.forEach(taskId -> submit(registration, taskId));
        } catch (Exception e) {
            log.warn("cannot list {}: {}", registration.assignmentsPath(), e.toString());
        }
    }

    private void submit(Registration registration, String taskId) {
        if (!accepting || registration.isAbandoned() || !ZNodes.isValidName(taskId)) {
            return;
        }
        String key = registration.workerId() + "/" + taskId;
        if (!accepted.add(key)) {
            return;
        }
        try {
            pool.execute(() -> {
                try {
                    if (accepting) { // queued but not started when a drain began: the master re-queues it
                        runner.run(registration, taskId);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    log.error("assignment {} failed unexpectedly", key, e);
                } finally {
                    accepted.remove(key);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            accepted.remove(key);
        }
    }
}
