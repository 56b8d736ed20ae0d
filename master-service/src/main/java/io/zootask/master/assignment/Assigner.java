package io.zootask.master.assignment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.Term;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves queued tasks to workers: plans with the {@link AssignmentPlanner}, reads the tasks' data, and writes the
 * moves in batches, each one fenced transaction. A task no worker can ever be given goes to
 * {@link UnassignableTasks}.
 *
 * <p>Runs on the active master's one thread.
 */
public final class Assigner {

    private static final Logger log = LoggerFactory.getLogger(Assigner.class);
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
    private final ClusterModel model;
    private final Term term;
    private final int maxRequestBytes;
    private final Runnable again;
    private final UnassignableTasks unassignable;
    private final Counter assigned;

    /**
     * @param maxRequestBytes the largest request the ZooKeeper servers accept (their {@code jute.maxbuffer})
     * @param again           asks for another round soon (a worker's assignment parent had to be created first)
     */
    public Assigner(CuratorFramework client, FencedWriter writer, ClusterModel model, Term term, String masterId,
                    int maxRequestBytes, Clock clock, MeterRegistry meters, Runnable again) {
        this.client = client;
        this.writer = writer;
        this.model = model;
        this.term = term;
        this.maxRequestBytes = maxRequestBytes;
        this.again = again;
        this.unassignable = new UnassignableTasks(client, writer, model, masterId, clock, meters);
        this.assigned = meters.counter("zootask.master.tasks.assigned");
    }

    /** Assigns as many queued tasks, oldest first, as the live workers have free slots. */
    public void assignQueued() {
        Map<String, Integer> free = model.freeSlots();
        int slots = free.values().stream().mapToInt(Integer::intValue).sum();
        List<AssignmentPlanner.Assignment> plan = AssignmentPlanner.plan(model.queuedOldestFirst(slots), free);
        for (int from = 0; from < plan.size() && term.writable(); from += BATCH) {
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
        Map<String, Stat> stats = new ConcurrentHashMap<>();
        Map<String, byte[]> data = new ConcurrentHashMap<>();
        CountDownLatch read = new CountDownLatch(batch.size());
        List<AssignmentPlanner.Assignment> unreadable = Collections.synchronizedList(new ArrayList<>());
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
                assigned.increment(chunk.size());
            } catch (Exception e) {
                chunk.forEach(m -> {
                    model.removeAssignment(m.workerId(), m.taskId());
                    model.addQueued(m.taskId());
                    oneByOne.add(new AssignmentPlanner.Assignment(m.taskId(), m.workerId()));
                });
                if (e instanceof FencedWriter.RefusedException refused
                        && refused.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                    term.end("not leading any more (fence " + writer.leadershipPath() + " gone)");
                    return;
                }
            }
        }
        for (AssignmentPlanner.Assignment a : oneByOne) {
            if (!term.writable()) {
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
            assigned.increment();
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
            case NOT_LEADER -> term.end("not leading any more (fence " + writer.leadershipPath() + " gone)");
            case WORKER_GONE -> {
                model.removeWorker(worker); // the worker left; the task stays queued for another
                model.addQueued(taskId);
            }
            case NO_ASSIGN_PARENT -> {
                // A worker registered by hand (create -e /workers/w1) before its /assign/w1: make the parent.
                createQuietly(ZNodes.assignments(worker));
                model.addQueued(taskId);
                again.run();
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
}
