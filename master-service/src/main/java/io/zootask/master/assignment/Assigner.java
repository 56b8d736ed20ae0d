package io.zootask.master.assignment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.QueuedTask;
import io.zootask.master.cluster.Term;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves ready tasks to workers: plans with the {@link AssignmentPlanner} (priority, the oldest task's share, routing
 * by labels), and writes the moves in batches, each one fenced transaction that copies the bytes the
 * {@link QueueReader} read and deletes the task at the version it read. A task no worker can ever be given goes to
 * {@link UnassignableTasks}.
 *
 * <p>Runs on the active master's one thread.
 */
public final class Assigner {

    private static final Logger log = LoggerFactory.getLogger(Assigner.class);
    /** Assignments per transaction: large enough to amortise the disk sync, far below ZooKeeper's 1 MB request. */
    private static final int BATCH = 100;
    /** Bytes of task data per transaction: a transaction is one request, and ZooKeeper refuses requests over 1 MB. */
    private static final int BATCH_BYTES = 512 * 1024;

    private final CuratorFramework client;
    private final FencedWriter writer;
    private final ClusterModel model;
    private final Term term;
    private final Clock clock;
    private final Runnable again;
    private final UnassignableTasks unassignable;
    private final QueueReader reader;
    private final AssignmentPlanner planner = new AssignmentPlanner();
    private final Counter assigned;

    /**
     * @param maxRequestBytes the largest request the ZooKeeper servers accept (their {@code jute.maxbuffer})
     * @param again           asks for another round soon (a worker's assignment parent had to be created first)
     * @param onMasterThread  runs a step on the active master's thread (where the answers of reads are applied)
     */
    public Assigner(CuratorFramework client, FencedWriter writer, ClusterModel model, Term term, String masterId,
                    int maxRequestBytes, Clock clock, MeterRegistry meters, Runnable again,
                    Consumer<Runnable> onMasterThread) {
        this.client = client;
        this.writer = writer;
        this.model = model;
        this.term = term;
        this.clock = clock;
        this.again = again;
        this.unassignable = new UnassignableTasks(client, writer, model, masterId, clock, meters);
        this.reader = new QueueReader(client, model, unassignable, maxRequestBytes, clock, onMasterThread);
        this.assigned = meters.counter("zootask.master.tasks.assigned");
    }

    /** Reads the tasks that arrived since the last round; planning waits for their answers, then runs again. */
    public void readArrivals() {
        reader.readUnread(again);
    }

    /** After a reload: the reads under way belong to the old picture. */
    public void forgetReads() {
        reader.clear();
    }

    /** Assigns as many ready tasks as the live workers have free slots for, in the planner's order. */
    public void assignReady() {
        model.queue().promoteDue(clock.instant());
        List<AssignmentPlanner.Assignment> plan = planner.plan(model.queue().readyGroups(), model.workers(),
                model.freeSlots(), model::isCancelRequested);
        int from = 0;
        while (from < plan.size() && term.writable()) {
            int to = from;
            long bytes = 0;
            while (to < plan.size() && to - from < BATCH
                    && (to == from || bytes + plan.get(to).task().data().length < BATCH_BYTES)) {
                bytes += plan.get(to).task().data().length;
                to++;
            }
            assignBatch(plan.subList(from, to));
            from = to;
        }
    }

    /**
     * Commits the batch in one fenced transaction: one disk sync for the batch instead of one per task. If it is
     * refused (a task changed, a worker left), the batch is tried task by task, where each refusal is understood.
     */
    private void assignBatch(List<AssignmentPlanner.Assignment> batch) {
        if (batch.size() == 1) {
            assign(batch.get(0));
            return;
        }
        List<FencedWriter.Move> moves = new ArrayList<>(batch.size());
        for (AssignmentPlanner.Assignment a : batch) {
            QueuedTask task = a.task();
            moves.add(new FencedWriter.Move(a.workerId(), task.id(), task.data(), task.version()));
            // Count the slot before the write lands: the worker may finish (and its delete event arrive) before
            // this thread looks at the model again.
            model.addAssignment(a.workerId(), task.id());
            model.queue().remove(task.id());
        }
        try {
            writer.assignAll(moves);
            assigned.increment(moves.size());
        } catch (Exception e) {
            for (AssignmentPlanner.Assignment a : batch) {
                model.removeAssignment(a.workerId(), a.taskId());
                model.queue().put(a.task(), clock.instant());
            }
            if (e instanceof FencedWriter.RefusedException refused
                    && refused.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                term.end("not leading any more (fence " + writer.leadershipPath() + " gone)");
                return;
            }
            for (AssignmentPlanner.Assignment a : batch) {
                if (!term.writable()) {
                    return;
                }
                model.queue().remove(a.taskId());
                assign(a);
            }
        }
    }

    private void assign(AssignmentPlanner.Assignment a) {
        QueuedTask task = a.task();
        String worker = a.workerId();
        model.addAssignment(worker, task.id());
        model.queue().remove(task.id());
        try {
            writer.assign(worker, task.id(), task.data(), task.version());
            assigned.increment();
        } catch (FencedWriter.RefusedException e) {
            model.removeAssignment(worker, task.id());
            handleRefusal(task, worker, e.refusal());
        } catch (Exception e) {
            model.removeAssignment(worker, task.id());
            model.queue().put(task, clock.instant());
            log.warn("assignment of {} to {} failed: {}", task.id(), worker, e.toString());
        }
    }

    private void handleRefusal(QueuedTask task, String worker, FencedWriter.Refusal refusal) {
        switch (refusal) {
            case NOT_LEADER -> {
                model.queue().put(task, clock.instant());
                term.end("not leading any more (fence " + writer.leadershipPath() + " gone)");
            }
            case WORKER_GONE -> {
                model.removeWorker(worker); // the worker left; the task stays queued for another
                model.queue().put(task, clock.instant());
            }
            case NO_ASSIGN_PARENT -> {
                // A worker registered by hand (create -e /workers/w1) before its /assign/w1: make the parent.
                createQuietly(ZNodes.assignments(worker));
                model.queue().put(task, clock.instant());
                again.run();
            }
            case TASK_HAS_CHILDREN -> unassignable.fail(task.id(), "the task's znode has child znodes (foreign"
                    + " data), so it cannot be moved to a worker", null);
            case TASK_GONE -> {
                // finished, cancelled, or deleted by someone: nothing to assign
            }
            default -> {
                model.queue().add(task.id()); // changed since we read it: read it again, then plan it
                again.run();
            }
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
