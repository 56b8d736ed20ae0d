package io.zootask.worker.registration;

import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this worker registered: {@code /assign/<id>} and the ephemeral {@code /workers/<id>}, created in ONE
 * transaction so that a master never sees a worker without its assignment parent. Every new ZooKeeper session gets a
 * new id; the old registration is abandoned (its processes killed) the moment its session is lost.
 */
public class WorkerRegistration implements ConnectionStateListener {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistration.class);

    private final CuratorFramework client;
    private final String name;
    private final WorkerInfo template;
    private final List<RegistrationListener> listeners;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicReference<Registration> current = new AtomicReference<>();
    private final Duration suspendedKillAfter;
    private ScheduledFuture<?> suspendedTimer; // registration thread only
    private Registration lastAbandoned; // registration thread only
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-registration");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running;

    /**
     * @param suspendedKillAfter how long the connection may stay SUSPENDED before this worker gives up its work; null
     *                           means a quarter of the negotiated session timeout. The client notices silence after
     *                           2/3 of the session timeout and the server expires the session at the full timeout,
     *                           so this must fire within the last third, before the master can re-queue our tasks.
     */
    public WorkerRegistration(CuratorFramework client, String name, WorkerInfo template,
                              List<RegistrationListener> listeners, Duration suspendedKillAfter) {
        this.suspendedKillAfter = suspendedKillAfter;
        this.client = client;
        this.name = name;
        this.template = template;
        this.listeners = List.copyOf(listeners);
    }

    public void start() {
        running = true;
        client.getConnectionStateListenable().addListener(this);
        thread.execute(this::reconcile);
    }

    public Optional<Registration> current() {
        return Optional.ofNullable(current.get());
    }

    @Override
    public void stateChanged(CuratorFramework ignored, ConnectionState newState) {
        if (thread.isShutdown()) {
            return;
        }
        switch (newState) {
            // Even while draining: a lost session means someone else may soon run our tasks.
            case LOST -> thread.execute(() -> abandonCurrent("session lost"));
            case CONNECTED, RECONNECTED -> thread.execute(() -> {
                cancelSuspendedTimer();
                reconcile();
            });
            // Keep working for now: most disconnections (a ZooKeeper server restarting) heal within a second.
            case SUSPENDED -> thread.execute(this::armSuspendedTimer);
            default -> {
            }
        }
    }

    /**
     * Stops taking work: deletes {@code /workers/<id>} so the master assigns nothing more, but keeps the session (and
     * the {@code /running} markers) so what runs can still finish and report.
     */
    public void withdraw() {
        running = false;
        Registration registration = current.get();
        if (registration == null) {
            return;
        }
        try {
            client.delete().forPath(ZNodes.worker(registration.workerId()));
            log.info("withdrew {} from /workers: no new assignments", registration.workerId());
        } catch (KeeperException.NoNodeException gone) {
            // already gone: nothing more will be assigned either way
        } catch (Exception e) {
            log.warn("could not withdraw {}: {}", registration.workerId(), e.toString());
        }
    }

    /** Abandons the current registration: for a drain whose grace period ran out. */
    public void abandon(String why) {
        thread.execute(() -> abandonCurrent(why));
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void armSuspendedTimer() {
        if (suspendedTimer != null || current.get() == null) {
            return;
        }
        Duration after = suspendedKillAfter != null ? suspendedKillAfter : quarterOfSessionTimeout();
        suspendedTimer = thread.schedule(() -> {
            suspendedTimer = null;
            if (!client.getZookeeperClient().isConnected()) {
                abandonCurrent("disconnected from ZooKeeper for " + after.toMillis()
                        + " ms: the session may be expiring, so our tasks may be handed to another worker");
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelSuspendedTimer() {
        if (suspendedTimer != null) {
            suspendedTimer.cancel(false);
            suspendedTimer = null;
        }
    }

    private Duration quarterOfSessionTimeout() {
        try {
            return Duration.ofMillis(client.getZookeeperClient().getZooKeeper().getSessionTimeout() / 4);
        } catch (Exception e) {
            return Duration.ofMillis(client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs() / 4);
        }
    }

    private void reconcile() {
        if (!running || !client.getZookeeperClient().isConnected()) {
            return;
        }
        long session;
        try {
            session = client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            retryLater();
            return;
        }
        Registration registration = current.get();
        if (registration != null && registration.sessionId() == session) {
            return;
        }
        if (registration != null) {
            abandonCurrent("session changed");
        }
        if (lastAbandoned != null && lastAbandoned.sessionId() == session && !releaseSurvivingSession(lastAbandoned)) {
            retryLater();
            return;
        }
        register(session);
    }

    /**
     * We gave up our work while disconnected, but the session survived: its /workers entry and the running markers
     * of the tasks we killed are still there. Remove them so the master re-queues those tasks, exactly as if the
     * session had expired. The /workers entry goes first: every marker transaction checks it, so a marker write of
     * the old registration still in flight (Curator retries one whose connection was lost) either landed before, and
     * is found and deleted below (one session's requests apply in order), or fails.
     */
    private boolean releaseSurvivingSession(Registration abandoned) {
        try {
            try {
                client.delete().forPath(ZNodes.worker(abandoned.workerId()));
            } catch (KeeperException.NoNodeException gone) {
                // withdrawn already
            }
            for (String task : client.getChildren().forPath(ZNodes.RUNNING)) {
                if (!ZNodes.isValidName(task)) {
                    continue; // not a task's marker, so not ours
                }
                String marker = ZNodes.running(task);
                try {
                    Stat stat = new Stat();
                    byte[] data = client.getData().storingStatIn(stat).forPath(marker);
                    if (stat.getEphemeralOwner() == abandoned.sessionId() || isMarkerOf(abandoned, data)) {
                        client.delete().withVersion(stat.getVersion()).forPath(marker);
                    }
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
                    // finished, expired or replaced meanwhile
                }
            }
            log.info("released {}: its tasks go back to the queue", abandoned);
            lastAbandoned = null;
            return true;
        } catch (Exception e) {
            log.warn("cannot release abandoned registration {}: {}", abandoned, e.toString());
            return false;
        }
    }

    private static boolean isMarkerOf(Registration registration, byte[] data) {
        try {
            return registration.workerId().equals(ProtocolCodec.decodeRunning(data).worker());
        } catch (RuntimeException undecodable) {
            return false; // not ours: ours are always well-formed
        }
    }

    private void register(long session) {
        String workerId;
        WorkerInfo info;
        while (true) {
            workerId = name + "-" + generation.incrementAndGet();
            info = new WorkerInfo(workerId, template.host(), template.pid(), template.slots(), template.version());
            try {
                ZooKeeperClients.ensureRoots(client);
                client.transaction().forOperations(
                        client.transactionOp().create().forPath(ZNodes.assignments(workerId), new byte[0]),
                        client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                .forPath(ZNodes.worker(workerId), ProtocolCodec.encode(info)));
                break;
            } catch (KeeperException.NodeExistsException taken) {
                if (registeredBy(workerId, session)) {
                    break; // our own transaction landed and Curator's retry of it found its work done
                }
                // A predecessor with our name (a restarted process) still holds this id, or its assignments
                // await recovery: never share them, take the next id.
                log.info("worker id {} is still in use; trying the next", workerId);
            } catch (Exception e) {
                log.warn("registration as {} failed ({}); retrying", workerId, e.toString());
                generation.decrementAndGet();
                retryLater();
                return;
            }
        }
        Registration registration = new Registration(workerId, session);
        current.set(registration);
        log.info("registered as worker {} with {} slots", registration, info.slots());
        listeners.forEach(l -> l.registered(registration));
    }

    private boolean registeredBy(String workerId, long session) {
        try {
            org.apache.zookeeper.data.Stat stat = client.checkExists().forPath(ZNodes.worker(workerId));
            return stat != null && stat.getEphemeralOwner() == session;
        } catch (Exception e) {
            return false;
        }
    }

    private void abandonCurrent(String why) {
        cancelSuspendedTimer();
        Registration registration = current.getAndSet(null);
        if (registration != null && registration.abandon()) {
            lastAbandoned = registration;
            log.warn("abandoning registration {}: {}", registration, why);
            listeners.forEach(l -> l.abandoned(registration));
        }
    }

    private void retryLater() {
        if (running) {
            thread.schedule(this::reconcile, 1, TimeUnit.SECONDS);
        }
    }
}
