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
 * new id; the old registration is abandoned (its processes killed) the moment its session is lost, or as soon as
 * the server may soon expire it ({@link SessionDeadline}).
 */
public class WorkerRegistration implements ConnectionStateListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistration.class);

    private final CuratorFramework client;
    private final String name;
    private final WorkerInfo template;
    private final List<RegistrationListener> listeners;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicReference<Registration> current = new AtomicReference<>();
    private final SessionDeadline deadline;
    private final ContactProbe probe;
    private final Object abandoning = new Object();
    private volatile Registration lastAbandoned;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worker-registration");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running;

    /**
     * @param expiryMargin   how long before the server can expire our session this worker gives up its work: at
     *                       least half the servers' {@code tickTime} plus the time a kill takes
     * @param sessionTimeout the configured session timeout, until the server's negotiated one is known
     */
    public WorkerRegistration(CuratorFramework client, String name, WorkerInfo template,
                              List<RegistrationListener> listeners, Duration expiryMargin, Duration sessionTimeout) {
        this.deadline = new SessionDeadline(expiryMargin);
        this.probe = new ContactProbe(client, deadline, sessionTimeout, System::nanoTime);
        this.client = client;
        this.name = name;
        this.template = template;
        this.listeners = List.copyOf(listeners);
    }

    public void start() {
        running = true;
        client.getConnectionStateListenable().addListener(this);
        probe.start(current::get, this::giveUpOverdue);
        thread.execute(this::reconcile);
    }

    @Override
    public void close() {
        probe.stop();
        thread.shutdownNow();
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
            case CONNECTED, RECONNECTED -> thread.execute(this::reconcile);
            // SUSPENDED: keep working for now (most disconnections heal within a second); the session's deadline
            // decides when to give up, measured from when the server last heard us, not from when we noticed.
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

    /** On the probe's thread: the server may expire the session soon, and hand our tasks to others. */
    private void giveUpOverdue(Registration registration) {
        Duration silent = deadline.sinceHeard(registration.sessionId(), System.nanoTime());
        abandonRegistration(registration, "the server last certainly heard from this session "
                + (silent == null ? "never" : silent.toMillis() + " ms ago") + " (session timeout "
                + probe.sessionTimeout().toMillis() + " ms): it may expire it, and our tasks go to another worker");
        // If the session survives (the connection heals), release it and register afresh. The client may not even
        // have noticed anything wrong (it still receives), so no connection event would say so.
        try {
            thread.execute(this::reconcile);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the worker is stopping: nothing to register again
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
        Registration abandoned = lastAbandoned;
        if (abandoned != null && abandoned.sessionId() == session) {
            if (deadline.nanosLeft(session, probe.sessionTimeout(), System.nanoTime()) <= 0) {
                // The server has not answered us since we gave this session up: it may be expiring, and writing
                // through it now would only block (or, retried by Curator, land in the next session). Wait for an
                // answer, or for the session's loss.
                retryLater();
                return;
            }
            if (!releaseSurvivingSession(abandoned)) {
                retryLater();
                return;
            }
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
            info = template.withId(workerId);
            long sentAt = System.nanoTime();
            try {
                ZooKeeperClients.ensureRoots(client);
                client.transaction().forOperations(
                        client.transactionOp().create().forPath(ZNodes.assignments(workerId), new byte[0]),
                        client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                .forPath(ZNodes.worker(workerId), ProtocolCodec.encode(info)));
                deadline.heard(session, sentAt);
                break;
            } catch (KeeperException.NodeExistsException taken) {
                if (registeredBy(workerId, session)) {
                    deadline.heard(session, sentAt);
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
        // The session may have changed while we registered (Curator retries an operation in the next session):
        // the registration belongs to the session that owns its /workers entry.
        long owner = ownerOf(workerId, session);
        if (owner != session) {
            log.info("the session changed while {} registered: it belongs to 0x{}", workerId, Long.toHexString(owner));
        }
        Registration registration = new Registration(workerId, owner);
        current.set(registration);
        log.info("registered as worker {} with {} slots", registration, info.slots());
        listeners.forEach(l -> l.registered(registration));
    }

    private long ownerOf(String workerId, long assumed) {
        try {
            Stat stat = client.checkExists().forPath(ZNodes.worker(workerId));
            return stat == null || stat.getEphemeralOwner() == 0 ? assumed : stat.getEphemeralOwner();
        } catch (Exception e) {
            return assumed; // if the session is gone, so is the registration: LOST abandons it
        }
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
        Registration registration = current.get();
        if (registration != null) {
            abandonRegistration(registration, why);
        }
    }

    /** From the registration thread or the probe's: one at a time, so listeners hear of each abandonment once. */
    private void abandonRegistration(Registration registration, String why) {
        synchronized (abandoning) {
            current.compareAndSet(registration, null);
            if (registration.abandon()) {
                lastAbandoned = registration;
                log.warn("abandoning registration {}: {}", registration, why);
                listeners.forEach(l -> l.abandoned(registration));
            }
        }
    }

    private void retryLater() {
        if (running) {
            thread.schedule(this::reconcile, 1, TimeUnit.SECONDS);
        }
    }
}
