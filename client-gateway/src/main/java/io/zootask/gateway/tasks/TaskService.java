package io.zootask.gateway.tasks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.gateway.GatewayProperties;
import io.zootask.gateway.errors.InvalidRequestException;
import io.zootask.gateway.errors.QueueFullException;
import io.zootask.gateway.errors.TaskNotFoundException;
import io.zootask.gateway.security.Caller;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.IdempotencyRecord;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Service;

/** Submitting tasks and looking them up. */
@Service
public class TaskService {

    /** Tasks remembered as created here: several seconds of submissions at full rate, a few MB. */
    private static final int RECENT_SUBMISSIONS = 16_384;
    /**
     * How long a remembered task may start a wait: its client polls at once. Older, it may have finished and been
     * pruned since, and is looked up like any other.
     */
    private static final Duration RECENT_FOR = Duration.ofSeconds(60);

    private final ZooKeeperAccess zk;
    private final TaskReader reader;
    private final TaskSubmitter submitter;
    private final QueueDepth queueDepth;
    private final GatewayProperties limits;
    private final Clock clock;
    private final SubmissionRules rules;
    private final WaitingReason waiting;
    private final Counter submitted;
    private final RecentSubmissions recent = new RecentSubmissions(RECENT_SUBMISSIONS);

    public TaskService(ZooKeeperAccess zk, TaskReader reader, TaskSubmitter submitter, QueueDepth queueDepth,
                       GatewayProperties limits, Clock clock, SubmissionRules rules, WaitingReason waiting,
                       MeterRegistry meters) {
        this.rules = rules;
        this.waiting = waiting;
        this.queueDepth = queueDepth;
        this.submitter = submitter;
        this.zk = zk;
        this.reader = reader;
        this.limits = limits;
        this.clock = clock;
        this.submitted = Counter.builder("zootask.gateway.tasks.submitted").description("tasks accepted (202)")
                .register(meters);
    }

    /** The outcome of a submission: the task, and whether an Idempotency-Key replayed an earlier one. */
    public record Submission(TaskView task, boolean replayed) {
    }

    /**
     * Validates, then writes the task as ONE sequential znode (with its Idempotency-Key record, if any, in the same
     * transaction): either it exists whole or nothing was written.
     *
     * @param caller who submits: its key id is recorded in the task, and scopes its Idempotency-Keys
     */
    public Submission submit(SubmitTaskRequest request, String idempotencyKey, Caller caller) {
        TaskSpec spec = rules.taskOf(request, clock.instant(), UUID.randomUUID().toString(), caller.keyId());
        checkKey(idempotencyKey);
        if (idempotencyKey == null) {
            refuseWhenQueueFull(1);
            TaskSubmitter.Submitted created = submitter.create(spec);
            return accepted(created.id(), spec);
        }
        refuseWhenQueueFull(1);
        TaskSubmitter.Submitted created = submitter.createIdempotent(spec, scoped(idempotencyKey, caller),
                SubmissionRules.requestHash(request));
        if (created.replayed()) {
            return new Submission(earlier(created.id()), true);
        }
        return accepted(created.id(), spec);
    }

    /** The outcome of a batch: its tasks in the request's order, and whether an Idempotency-Key replayed them. */
    public record BatchSubmission(List<TaskView> tasks, boolean replayed) {

        public BatchSubmission {
            tasks = List.copyOf(tasks);
        }
    }

    /**
     * Validates every task, then writes them all in ONE transaction (with the Idempotency-Key's record, if any): all
     * of them exist or none does. The queue bound counts the whole batch.
     *
     * @throws InvalidRequestException naming the index of the first task refused; nothing is written
     */
    public BatchSubmission submitBatch(List<SubmitTaskRequest> requests, String idempotencyKey, Caller caller) {
        Instant now = clock.instant();
        String batchToken = UUID.randomUUID().toString();
        List<TaskSpec> specs = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            try {
                specs.add(rules.taskOf(requests.get(i), now, IdempotencyRecord.batchSubmission(batchToken, i),
                        caller.keyId()));
            } catch (InvalidRequestException refused) {
                throw new InvalidRequestException(TaskSubmissionBodyReader.at(i, refused.getMessage()));
            }
        }
        checkKey(idempotencyKey);
        refuseWhenQueueFull(specs.size());
        TaskSubmitter.SubmittedBatch created = idempotencyKey == null ? submitter.createAll(specs, batchToken)
                : submitter.createAllIdempotent(specs, batchToken, scoped(idempotencyKey, caller),
                SubmissionRules.batchHash(requests));
        if (created.replayed()) {
            return new BatchSubmission(created.ids().stream().map(this::earlier).toList(), true);
        }
        List<TaskView> tasks = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            tasks.add(accepted(created.ids().get(i), specs.get(i)).task());
        }
        return new BatchSubmission(tasks, false);
    }

    /** A task an Idempotency-Key's earlier request created, as it is now. */
    private TaskView earlier(String id) {
        return reader.find(id).orElse(TaskView.withMessage(id, null, "finished and pruned"));
    }

    private void checkKey(String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isBlank()
                || idempotencyKey.length() > limits.maxIdempotencyKeyLength()
                || !idempotencyKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e))) {
            throw new InvalidRequestException("Idempotency-Key must be 1 to " + limits.maxIdempotencyKeyLength()
                    + " printable ASCII characters without spaces, such as a UUID");
        }
    }

    private Submission accepted(String id, TaskSpec spec) {
        submitted.increment();
        TaskView task = TaskView.queued(id, spec);
        recent.add(task);
        return new Submission(task, false);
    }

    /**
     * Each API key has its own Idempotency-Keys: another key that happens to send the same one gets its own task,
     * never a replay of (and so a look at) this key's task. Without keys (open gateway) the key is used as given,
     * as before keys existed. A newline cannot occur in a validated Idempotency-Key, so the two parts never blur.
     */
    private static String scoped(String idempotencyKey, Caller caller) {
        return caller.keyId() == null ? idempotencyKey : caller.keyId() + "\n" + idempotencyKey;
    }

    /** Refuses {@code tasks} more when they would take the queue past its bound. */
    private void refuseWhenQueueFull(int tasks) {
        int queued = queueDepth.current();
        if (queued + tasks > limits.maxQueued()) {
            throw new QueueFullException(queued, limits.maxQueued());
        }
    }

    /**
     * A task this caller may see. Another key's task answers exactly like an unknown one (404), so a key that may only
     * read its own tasks learns nothing about anyone else's, not even that they exist.
     */
    public TaskView get(String id, Caller caller) {
        return visible(reader.find(id), id, caller);
    }

    /**
     * Where a wait for this task starts from: the task as this gateway created it, if it did so lately (no ZooKeeper
     * read: it is known to exist and who submitted it), else {@link #get} it; and from when on it is known unfinished.
     * Only a starting point: the answer to the wait is read afresh.
     */
    public WaitStart getToWaitFor(String id, Caller caller) {
        Instant now = clock.instant();
        Optional<TaskView> created = recent.find(id).filter(task -> task.submittedAt().isAfter(now.minus(RECENT_FOR)));
        if (created.isPresent()) {
            TaskView task = visible(created, id, caller);
            return new WaitStart(task, task.submittedAt());
        }
        return new WaitStart(get(id, caller), now);
    }

    /** A task as a wait starts from, and an instant (this gateway's clock) at which it had not yet ended. */
    public record WaitStart(TaskView task, Instant unfinishedAt) {
    }

    private static TaskView visible(Optional<TaskView> task, String id, Caller caller) {
        return task.filter(t -> caller.maySee(t.submittedBy())).orElseThrow(() -> new TaskNotFoundException(id));
    }

    /**
     * The tasks ZooKeeper still holds (queued, assigned, running, and finished until pruned), newest first. Child
     * lists give ids and coarse states without reading each znode; only the page's tasks are read in full (for a
     * key that sees only its own tasks, every candidate is read until the page is full).
     */
    public TaskPage list(Integer limit, String cursor, TaskFilter filter, Caller caller) {
        int size = limit == null ? limits.defaultPageSize() : limit;
        if (size < 1 || size > limits.maxPageSize()) {
            throw new InvalidRequestException("limit must be between 1 and " + limits.maxPageSize());
        }
        if (cursor != null && !ZNodes.isValidName(cursor)) {
            throw new InvalidRequestException("cursor is not a task id");
        }
        Map<String, TaskState> coarse = coarseStates();
        List<String> ids = new ArrayList<>(coarse.keySet());
        ids.sort(ZNodes.TASK_ORDER.reversed());
        Supplier<List<WorkerInfo>> liveWorkers = waiting.liveWorkers();
        List<TaskView> items = new ArrayList<>();
        String next = null;
        int reads = 0;
        String lastRead = null;
        for (String id : ids) {
            if (cursor != null && ZNodes.TASK_ORDER.compare(id, cursor) >= 0) {
                continue;
            }
            if (!filter.couldMatch(coarse.get(id))) {
                continue;
            }
            if (reads == limits.maxListReads()) {
                next = lastRead; // cursors are exclusive: the next page goes on after the last task read here
                break;
            }
            reads++;
            lastRead = id;
            Optional<TaskView> view = reader.find(id, liveWorkers);
            if (view.isEmpty() || !filter.matches(view.get()) || !caller.maySee(view.get().submittedBy())) {
                continue;
            }
            if (items.size() == size) {
                next = items.get(items.size() - 1).id();
                break;
            }
            items.add(view.get());
        }
        return new TaskPage(items, next);
    }

    private Map<String, TaskState> coarseStates() {
        CuratorFramework client = zk.client();
        Map<String, TaskState> states = new HashMap<>();
        try {
            zk.call(() -> {
                put(states, ZooKeeperClients.childrenOrEmpty(client, ZNodes.TASKS), TaskState.QUEUED);
                for (String worker : ZooKeeperClients.childrenOrEmpty(client, ZNodes.ASSIGN)) {
                    try {
                        put(states, client.getChildren().forPath(ZNodes.childOf(ZNodes.ASSIGN, worker)),
                                TaskState.ASSIGNED);
                    } catch (KeeperException.NoNodeException | IllegalArgumentException gone) {
                        // the worker's parent was removed while we listed
                    }
                }
                put(states, ZooKeeperClients.childrenOrEmpty(client, ZNodes.RUNNING), TaskState.RUNNING);
                put(states, ZooKeeperClients.childrenOrEmpty(client, ZNodes.STATUS), TaskState.DONE);
                return null;
            });
        } catch (KeeperException e) {
            throw new IllegalStateException("listing tasks: " + e.code(), e);
        }
        return states;
    }

    private static void put(Map<String, TaskState> states, List<String> ids, TaskState state) {
        for (String id : ids) {
            if (ZNodes.isValidName(id)) {
                states.put(id, state);
            }
        }
    }
}
