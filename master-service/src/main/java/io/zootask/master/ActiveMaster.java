package io.zootask.master;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.assignment.AssignmentPlanner;
import io.zootask.master.assignment.ClusterModel;
import io.zootask.master.assignment.FencedWriter;
import io.zootask.master.assignment.UnassignableTasks;
import io.zootask.master.recovery.AssignParentGrace;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the elected master, for one term of leadership: keep a {@link ClusterModel} current from persistent
 * watches on {@code /workers}, {@code /tasks}, {@code /assign} and {@code /running}; recover the assignments of dead
 * workers; assign queued tasks. Everything runs on one thread, so the model needs no locks and decisions are made in
 * event order. Paused while the connection is SUSPENDED; on RECONNECTED it reloads, since events may have been missed.
 */
public final class ActiveMaster implements ConnectionStateListener {

    private static final Logger log = LoggerFactory.getLogger(ActiveMaster.class);
    private static final List<String> WATCHED = List.of(ZNodes.WORKERS, ZNodes.TASKS, ZNodes.ASSIGN, ZNodes.RUNNING);
    /** Assignments per transaction: large enough to amortise the disk sync, far below ZooKeeper's 1 MB request. */
    private static final int BATCH = 100;
    /**
     * What an assignment's transaction adds to the task's data (the fence and worker checks, the paths, the ACLs,
     * the headers), rounded up generously: a task whose data comes closer than this to ZooKeeper's request limit
     * cannot be assigned, because the server would drop the connection on the oversized request.
     */
    static final int ASSIGNMENT_OVERHEAD_BYTES = 1024;

    private final CuratorFramework client;
    private final FencedWriter writer;
    private final String masterId;
    private final int defaultMaxAttempts;
    private final Clock clock;
    private final ClusterModel model = new ClusterModel();
    private final ScheduledExecutorService thread;
    private final Watcher watcher = this::onEvent;
    private final Counter assignedCounter;
    private final Counter requeuedCounter;
    private final Counter failedCounter;
    private final AtomicInteger queueDepth;
    private final AssignParentGrace parentGrace;
    private final UnassignableTasks unassignable;
    private final int maxRequestBytes;
    private volatile boolean suspended;
    private volatile long sessionId; // the session this term's writes belong to
    private volatile boolean stopped;
    private boolean reconcileQueued;

    /**
     * What an active master needs to know beyond the cluster's znodes.
     *
     * @param defaultMaxAttempts executions a task may lose to dead workers, unless it says otherwise
     * @param assignParentGrace  how long an empty {@code /assign/<w>} without its worker is left alone
     * @param maxRequestBytes    the largest request the ZooKeeper servers accept (their {@code jute.maxbuffer})
     */
    public record Settings(int defaultMaxAttempts, Duration assignParentGrace, int maxRequestBytes) {
    }

    public ActiveMaster(CuratorFramework client, String leadershipPath, String masterId, Settings settings,
                        Clock clock, MeterRegistry meters, AtomicInteger queueDepth) {
        this.client = client;
        this.writer = new FencedWriter(client, leadershipPath);
        this.masterId = masterId;
        this.defaultMaxAttempts = settings.defaultMaxAttempts();
        this.clock = clock;
        this.queueDepth = queueDepth;
        this.assignedCounter = meters.counter("zootask.master.tasks.assigned");
        this.requeuedCounter = meters.counter("zootask.master.tasks.requeued");
        this.failedCounter = meters.counter("zootask.master.tasks.failed");
        this.parentGrace = new AssignParentGrace(settings.assignParentGrace(), clock);
        this.unassignable = new UnassignableTasks(client, writer, model, masterId, clock, meters);
        this.maxRequestBytes = settings.maxRequestBytes();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "active-master");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        client.getConnectionStateListenable().addListener(this);
        submit(this::reload);
    }

    /** Ends this term: no write is attempted after this returns (the fence would refuse it anyway). */
    public void stop() {
        stopped = true;
        client.getConnectionStateListenable().removeListener(this);
        for (String path : WATCHED) {
            try {
                client.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).locally().forPath(path);
            } catch (Exception ignored) {
                // not registered (never connected) or already gone with the session
            }
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stateChanged(CuratorFramework ignored, ConnectionState newState) {
        switch (newState) {
            case SUSPENDED, LOST -> {
                suspended = true;
                log.warn("connection {}: assignments paused", newState);
            }
            case RECONNECTED, CONNECTED -> {
                suspended = false;
                log.info("connection {}: reloading the cluster picture", newState);
                submit(this::reload);
            }
            default -> {
            }
        }
    }

    // ---- events --------------------------------------------------------------------------------------------------

    private void onEvent(WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None || event.getPath() == null) {
            return;
        }
        submit(() -> {
            apply(event.getType(), event.getPath());
            scheduleReconcile();
        });
    }

    private void apply(Watcher.Event.EventType type, String path) {
        boolean created = type == Watcher.Event.EventType.NodeCreated;
        boolean deleted = type == Watcher.Event.EventType.NodeDeleted;
        String parent = ZNodes.parentOf(path);
        String name = ZNodes.nameOf(path);
        if (!ZNodes.isValidName(name)) {
            log.warn("ignoring {}: not a name zootask uses", path);
            return;
        }
        if (parent.equals(ZNodes.WORKERS)) {
            if (deleted) {
                model.removeWorker(name);
            } else {
                readWorker(name);
            }
        } else if (parent.equals(ZNodes.TASKS)) {
            if (created) {
                model.addQueued(name);
            } else if (deleted) {
                model.removeQueued(name);
            }
        } else if (parent.equals(ZNodes.RUNNING)) {
            if (created) {
                model.addRunning(name);
            } else if (deleted) {
                model.removeRunning(name);
            }
        } else if (parent.equals(ZNodes.ASSIGN)) {
            if (created) {
                model.addAssignmentParent(name);
            } else if (deleted) {
                model.removeAssignmentParent(name);
            }
        } else if (ZNodes.parentOf(parent).equals(ZNodes.ASSIGN)) {
            String worker = ZNodes.nameOf(parent);
            if (created) {
                model.addAssignment(worker, name);
            } else if (deleted) {
                model.removeAssignment(worker, name);
            }
        }
    }

    /** Only ephemeral entries are workers: a persistent one outlives any process and would swallow tasks. */
    private void readWorker(String workerId) {
        try {
            Stat stat = new Stat();
            byte[] data = client.getData().storingStatIn(stat).forPath(ZNodes.worker(workerId));
            if (stat.getEphemeralOwner() == 0) {
                model.removeWorker(workerId);
                log.warn("ignoring /workers/{}: not ephemeral, so no live worker stands behind it", workerId);
                return;
            }
            model.putWorker(ProtocolCodec.decodeWorker(workerId, data));
        } catch (KeeperException.NoNodeException gone) {
            model.removeWorker(workerId);
        } catch (Exception e) {
            log.warn("cannot read worker {}: {}", workerId, e.toString());
        }
    }

    // ---- full load ------------------------------------------------------------------------------------------------

    /** Watches first, then reads: anything that changes after the read arrives as an event and is applied after. */
    private void reload() throws Exception {
        if (stopped || suspended) {
            return;
        }
        long session = currentSession();
        if (sessionId == 0) {
            sessionId = session;
        } else if (session != sessionId) {
            stopBecause("the ZooKeeper session changed; leadership belonged to the old one");
            return;
        }
        ZooKeeperClients.ensureRoots(client);
        for (String path : WATCHED) {
            client.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(watcher).forPath(path);
        }
        model.clear();
        for (String worker : validNames(ZNodes.WORKERS)) {
            readWorker(worker);
        }
        validNames(ZNodes.TASKS).forEach(model::addQueued);
        validNames(ZNodes.RUNNING).forEach(model::addRunning);
        for (String worker : validNames(ZNodes.ASSIGN)) {
            model.addAssignmentParent(worker);
            try {
                validNames(ZNodes.assignments(worker)).forEach(t -> model.addAssignment(worker, t));
            } catch (KeeperException.NoNodeException gone) {
                model.removeAssignmentParent(worker);
            }
        }
        log.info("cluster picture: {} live workers, {} queued tasks", model.liveWorkers(), model.queueDepth());
        scheduleReconcile();
    }

    private List<String> validNames(String parent) throws Exception {
        return client.getChildren().forPath(parent).stream().filter(ZNodes::isValidName).toList();
    }

    // ---- decisions -----------------------------------------------------------------------------------------------

    private void scheduleReconcile() {
        if (!reconcileQueued) {
            reconcileQueued = true;
            submit(() -> {
                reconcileQueued = false;
                reconcile();
            });
        }
    }

    private void reconcile() {
        if (stopped || suspended) {
            return;
        }
        if (currentSession() != sessionId) {
            // Our election node belongs to a session we no longer hold; the fence protects the writes, but there is
            // no point in trying: the latch will tell us we are not the leader.
            stopBecause("the ZooKeeper session changed; leadership belonged to the old one");
            return;
        }
        recoverOrphans();
        assignQueued();
        queueDepth.set(model.queueDepth());
    }

    private void recoverOrphans() {
        Map<String, List<String>> orphans = model.orphanedAssignments();
        Set<String> ownerlessEmpty = new java.util.HashSet<>();
        for (Map.Entry<String, List<String>> orphan : orphans.entrySet()) {
            String worker = orphan.getKey();
            boolean pending = false;
            for (String task : orphan.getValue()) {
                if (model.isRunning(task) && stillRunning(task)) {
                    pending = true; // a draining worker's session still runs it; it reports or its marker vanishes
                    continue;
                }
                requeue(worker, task);
            }
            if (!pending && model.assignmentsOf(worker) == 0) {
                ownerlessEmpty.add(worker);
            }
        }
        parentGrace.retainOnly(ownerlessEmpty);
        for (String worker : ownerlessEmpty) {
            if (parentGrace.expired(worker)) {
                removeAssignParent(worker);
            }
        }
        parentGrace.untilNextExpiry().ifPresent(wait -> submitLater(this::scheduleReconcile, wait));
    }

    /** Fenced, and refused if the worker registered meanwhile: see {@link FencedWriter#removeAssignmentParent}. */
    private void removeAssignParent(String worker) {
        try {
            writer.removeAssignmentParent(worker);
            model.removeAssignmentParent(worker);
            parentGrace.forget(worker);
            log.info("removed the empty assignments parent of departed worker {}", worker);
        } catch (FencedWriter.RefusedException e) {
            switch (e.refusal()) {
                case NOT_LEADER -> stopBecause("our election node is gone");
                case NO_ASSIGN_PARENT -> {
                    model.removeAssignmentParent(worker);
                    parentGrace.forget(worker);
                }
                default -> parentGrace.forget(worker); // the worker came, or work did: start over if it leaves
            }
        } catch (Exception e) {
            log.warn("cannot remove /assign/{}: {}", worker, e.toString());
        }
    }

    /** A running marker counts only if a live session owns it; a persistent one is foreign debris. */
    private boolean stillRunning(String taskId) {
        try {
            Stat stat = client.checkExists().forPath(ZNodes.running(taskId));
            if (stat == null) {
                model.removeRunning(taskId);
                return false;
            }
            if (stat.getEphemeralOwner() == 0) {
                writer.removeOwnerlessMarker(taskId, stat.getVersion());
                model.removeRunning(taskId);
                return false;
            }
            return true;
        } catch (Exception e) {
            return true;
        }
    }

    private void requeue(String worker, String taskId) {
        byte[] data;
        try {
            data = client.getData().forPath(ZNodes.assignment(worker, taskId));
        } catch (KeeperException.NoNodeException gone) {
            model.removeAssignment(worker, taskId);
            return;
        } catch (Exception e) {
            log.warn("cannot read assignment /assign/{}/{}: {}", worker, taskId, e.toString());
            return;
        }
        try {
            TaskSpec current;
            try {
                current = ProtocolCodec.decodeTask(data);
            } catch (MalformedDataException e) {
                writer.failAssigned(worker, taskId, TaskStatus.failure(null, masterId, clock.instant(),
                        "malformed task: " + e.getMessage()));
                failedCounter.increment();
                model.removeAssignment(worker, taskId);
                return;
            }
            TaskSpec next = current.nextAttempt();
            int maxAttempts = next.maxAttempts() != null ? next.maxAttempts() : defaultMaxAttempts;
            if (next.attempt() > maxAttempts) {
                writer.failAssigned(worker, taskId, TaskStatus.failure(current, worker, clock.instant(),
                        "worker lost"));
                failedCounter.increment();
                log.info("task {} failed: worker {} lost on attempt {} of {}", taskId, worker, current.attempt(),
                        maxAttempts);
            } else {
                writer.requeue(worker, taskId, ProtocolCodec.encode(next));
                requeuedCounter.increment();
                model.addQueued(taskId);
                log.info("re-queued task {} of departed worker {} (attempt {})", taskId, worker, next.attempt());
            }
            model.removeAssignment(worker, taskId);
        } catch (FencedWriter.RefusedException e) {
            if (e.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                stopBecause("our election node is gone");
            }
            log.info("recovery of /assign/{}/{} not applied: {}", worker, taskId, e.getMessage());
        } catch (Exception e) {
            log.warn("recovery of /assign/{}/{} failed: {}", worker, taskId, e.toString());
        }
    }

    private void assignQueued() {
        Map<String, Integer> free = model.freeSlots();
        int slots = free.values().stream().mapToInt(Integer::intValue).sum();
        List<AssignmentPlanner.Assignment> plan = AssignmentPlanner.plan(model.queuedOldestFirst(slots), free);
        for (int from = 0; from < plan.size() && !stopped && !suspended; from += BATCH) {
            assignBatch(plan.subList(from, Math.min(plan.size(), from + BATCH)));
        }
    }

    /**
     * Reads the batch's task data in one pipelined round, then commits all of it in one fenced transaction: one disk
     * sync for the batch instead of one per task. If the transaction is refused (a task vanished, a worker left), the
     * batch is retried task by task, where each refusal is understood precisely.
     */
    private void assignBatch(List<AssignmentPlanner.Assignment> batch) {
        if (batch.size() == 1) {
            assign(batch.get(0).taskId(), batch.get(0).workerId());
            return;
        }
        Map<String, Stat> stats = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, byte[]> data = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(batch.size());
        List<AssignmentPlanner.Assignment> unreadable = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (AssignmentPlanner.Assignment a : batch) {
                client.getData().inBackground((c, event) -> {
                    if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                        data.put(a.taskId(), event.getData());
                        stats.put(a.taskId(), event.getStat());
                    } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
                        unreadable.add(a); // NoAuth, for one: assign() says precisely why
                    }
                    read.countDown();
                }).forPath(ZNodes.task(a.taskId()));
            }
            if (!read.await(30, TimeUnit.SECONDS)) {
                return;
            }
        } catch (Exception e) {
            log.warn("cannot read the batch's tasks: {}", e.toString());
            return;
        }
        List<FencedWriter.Move> moves = new ArrayList<>(batch.size());
        List<AssignmentPlanner.Assignment> oneByOne = new ArrayList<>(unreadable);
        for (AssignmentPlanner.Assignment a : batch) {
            byte[] bytes = data.get(a.taskId());
            if (bytes == null) {
                if (!unreadable.contains(a)) {
                    model.removeQueued(a.taskId()); // gone meanwhile
                }
                continue;
            }
            if (tooLargeToAssign(bytes)) {
                oneByOne.add(a); // assign() fails it with the reason
                continue;
            }
            try {
                ProtocolCodec.decodeTask(bytes);
                moves.add(new FencedWriter.Move(a.workerId(), a.taskId(), bytes, stats.get(a.taskId()).getVersion()));
            } catch (MalformedDataException e) {
                oneByOne.add(a); // assign() turns it into a failed status
            }
        }
        // Chunks under 512 KB: a transaction is one request, and ZooKeeper refuses requests over 1 MB.
        int from = 0;
        while (from < moves.size()) {
            int to = from;
            long bytes = 0;
            while (to < moves.size() && (to == from || bytes + moves.get(to).data().length < 512 * 1024)) {
                bytes += moves.get(to).data().length;
                to++;
            }
            List<FencedWriter.Move> chunk = moves.subList(from, to);
            from = to;
            chunk.forEach(m -> {
                model.addAssignment(m.workerId(), m.taskId());
                model.removeQueued(m.taskId());
            });
            try {
                writer.assignAll(chunk);
                assignedCounter.increment(chunk.size());
            } catch (Exception e) {
                chunk.forEach(m -> {
                    model.removeAssignment(m.workerId(), m.taskId());
                    model.addQueued(m.taskId());
                    oneByOne.add(new AssignmentPlanner.Assignment(m.taskId(), m.workerId()));
                });
                if (e instanceof FencedWriter.RefusedException refused
                        && refused.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                    stopBecause("not leading any more (fence " + writer.leadershipPath() + " gone)");
                    return;
                }
            }
        }
        for (AssignmentPlanner.Assignment a : oneByOne) {
            if (stopped || suspended) {
                return;
            }
            assign(a.taskId(), a.workerId());
        }
    }

    private void assign(String taskId, String worker) {
        Stat stat = new Stat();
        byte[] data;
        try {
            data = client.getData().storingStatIn(stat).forPath(ZNodes.task(taskId));
        } catch (KeeperException.NoNodeException gone) {
            model.removeQueued(taskId);
            return;
        } catch (KeeperException.NoAuthException e) {
            unassignable.fail(taskId, "unreadable task: its znode's ACL does not let the master read it", null);
            return;
        } catch (Exception e) {
            log.warn("cannot read task {}: {}", taskId, e.toString());
            return;
        }
        if (tooLargeToAssign(data)) {
            unassignable.fail(taskId, "task too large: its " + data.length + " bytes of data, copied into an"
                    + " assignment, would exceed ZooKeeper's request limit of " + maxRequestBytes + " bytes", stat);
            return;
        }
        try {
            ProtocolCodec.decodeTask(data);
        } catch (MalformedDataException e) {
            unassignable.fail(taskId, "malformed task: " + e.getMessage(), stat);
            return;
        }
        try {
            // Count the slot before the write lands: the worker may finish (and its delete event arrive) before
            // this thread looks at the model again.
            model.addAssignment(worker, taskId);
            model.removeQueued(taskId);
            writer.assign(worker, taskId, data, stat.getVersion());
            assignedCounter.increment();
        } catch (FencedWriter.RefusedException e) {
            model.removeAssignment(worker, taskId);
            handleRefusedAssignment(taskId, worker, e.refusal());
        } catch (Exception e) {
            model.removeAssignment(worker, taskId);
            model.addQueued(taskId);
            log.warn("assignment of {} to {} failed: {}", taskId, worker, e.toString());
        }
    }

    private boolean tooLargeToAssign(byte[] data) {
        return (long) data.length + ASSIGNMENT_OVERHEAD_BYTES > maxRequestBytes;
    }

    private void handleRefusedAssignment(String taskId, String worker, FencedWriter.Refusal refusal) {
        switch (refusal) {
            case NOT_LEADER -> stopBecause("not leading any more (fence " + writer.leadershipPath() + " gone)");
            case WORKER_GONE -> {
                model.removeWorker(worker); // the worker left; the task stays queued for another
                model.addQueued(taskId);
            }
            case NO_ASSIGN_PARENT -> {
                // A worker registered by hand (create -e /workers/w1) before its /assign/w1: make the parent.
                createQuietly(ZNodes.assignments(worker));
                model.addQueued(taskId);
                scheduleReconcile();
            }
            case TASK_HAS_CHILDREN -> unassignable.fail(taskId, "the task's znode has child znodes (foreign data),"
                    + " so it cannot be moved to a worker", null);
            case TASK_GONE -> {
                // finished, or deleted by someone: nothing to assign
            }
            default -> model.addQueued(taskId); // changed meanwhile: assign it again with its new data
        }
    }

    private void createQuietly(String path) {
        try {
            client.create().forPath(path, new byte[0]);
        } catch (Exception ignored) {
            // someone else created it, or we are disconnected: the next reconcile retries
        }
    }

    private long currentSession() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return -1;
        }
    }

    private void stopBecause(String why) {
        if (!stopped) {
            stopped = true;
            log.warn("stopping assignments: {}", why);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void submit(Step step) {
        submitLater(step, Duration.ZERO);
    }

    private void submitLater(Step step, Duration delay) {
        if (stopped || thread.isShutdown()) {
            return;
        }
        try {
            thread.schedule(() -> {
                try {
                    step.run();
                } catch (Exception e) {
                    // Nothing a foreign client writes may stop the master: log and carry on with the next event.
                    log.warn("active master step failed: {}", e.toString());
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // term over
        }
    }
}
