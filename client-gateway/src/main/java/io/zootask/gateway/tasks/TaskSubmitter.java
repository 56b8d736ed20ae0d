package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.IdempotencyConflictException;
import io.zootask.gateway.errors.ZooKeeperUnavailableException;
import io.zootask.protocol.IdempotencyRecord;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.Transactions;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;
import org.springframework.stereotype.Component;

/**
 * Writes a task znode exactly once per request, although the connection may drop between the write and its answer.
 *
 * <p>Curator retries a create that failed with connection loss, which for a sequential znode can create a second task.
 * So the create is sent once, on the raw ZooKeeper handle, carrying a unique submission token in its data; if the
 * answer is lost, the gateway reconnects, syncs, and looks for its token among the tasks newer than any it had seen
 * before, wherever they have moved meanwhile ({@link SubmissionSearch}), then creates again only if the first write
 * certainly did not land. (Curator's protected mode does the same by putting
 * a GUID in the name; ours must stay {@code task-NNNNNNNNNN}.)
 *
 * <p>With an {@code Idempotency-Key}, the key's record is created in the same transaction as the task, so a retried
 * request finds the task the first one created, whichever gateway it reaches.
 */
@Component
class TaskSubmitter {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskSubmitter.class);

    public record Submitted(String id, boolean replayed) {
    }

    /** The ids of a batch's tasks, in the request's order. */
    public record SubmittedBatch(List<String> ids, boolean replayed) {

        public SubmittedBatch {
            ids = List.copyOf(ids);
        }
    }

    private final CuratorFramework client;
    private final Clock clock;
    /** Open, or only the services' identity in ZooKeeper's secured mode: the raw handle does not apply it itself. */
    private final ACLProvider acls;
    private final Duration reconnectWait;
    /** The newest task id this gateway has created or found: any create still unanswered makes a newer one. */
    private final AtomicReference<String> newestSeen = new AtomicReference<>();

    public TaskSubmitter(CuratorFramework client, Clock clock, ACLProvider acls) {
        this.client = client;
        this.clock = clock;
        this.acls = acls;
        this.reconnectWait = Duration.ofMillis(Math.max(1000,
                client.getZookeeperClient().getConnectionTimeoutMs()));
    }

    public Submitted create(TaskSpec spec) {
        byte[] data = ProtocolCodec.encode(spec);
        String floor = newestSeen.get();
        for (int attempt = 1; ; attempt++) {
            try {
                String prefix = ZNodes.taskSequentialPrefix();
                return new Submitted(seen(zooKeeper().create(prefix, data, acls.getAclForPath(prefix),
                        CreateMode.PERSISTENT_SEQUENTIAL)), false);
            } catch (KeeperException.NoNodeException noRoots) {
                ensureRoots(); // nothing was created: safe to try again
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException lost) {
                Optional<String> landed = findAfterReconnect(spec.submission(), floor);
                if (landed.isPresent()) {
                    return new Submitted(landed.get(), false);
                }
            } catch (KeeperException e) {
                throw new IllegalStateException("creating the task znode: " + e.code(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZooKeeperUnavailableException("interrupted while creating the task", e);
            }
            if (attempt >= 3) {
                throw new ZooKeeperUnavailableException("could not create the task", null);
            }
        }
    }

    public Submitted createIdempotent(TaskSpec spec, String key, String requestHash) {
        String recordPath = ZNodes.idempotencyRecord(key);
        byte[] data = ProtocolCodec.encode(spec);
        byte[] pending = ProtocolCodec.encode(new IdempotencyRecord(spec.submission(), requestHash, null,
                clock.instant()));
        String floor = newestSeen.get();
        for (int attempt = 1; ; attempt++) {
            try {
                List<OpResult> results = zooKeeper().multi(List.of(
                        Op.create(ZNodes.taskSequentialPrefix(), data,
                                acls.getAclForPath(ZNodes.taskSequentialPrefix()), CreateMode.PERSISTENT_SEQUENTIAL),
                        Op.create(recordPath, pending, acls.getAclForPath(recordPath), CreateMode.PERSISTENT)));
                String id = seen(((OpResult.CreateResult) results.get(0)).getPath());
                remember(recordPath, spec, requestHash, id);
                return new Submitted(id, false);
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException lost) {
                awaitReconnected();
                Optional<IdempotencyRecord> record = readRecord(recordPath);
                if (record.isPresent()) {
                    // ours (the lost transaction landed) or a concurrent retry's: either way, that task
                    return replay(recordPath, record.get(), requestHash, floor,
                            Objects.equals(record.get().submission(), spec.submission()));
                }
            } catch (KeeperException e) {
                int failed = Transactions.failedOp(e);
                if (failed == 1 && e.code() == KeeperException.Code.NODEEXISTS) {
                    IdempotencyRecord record = readRecord(recordPath).orElseThrow(() ->
                            new IdempotencyConflictException(409, "a request with this Idempotency-Key is being"
                                    + " processed; retry shortly"));
                    return replay(recordPath, record, requestHash, null, false);
                }
                if (e.code() == KeeperException.Code.NONODE) {
                    ensureRoots();
                } else {
                    throw new IllegalStateException("creating the task znode: " + e.code(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZooKeeperUnavailableException("interrupted while creating the task", e);
            }
            if (attempt >= 3) {
                throw new ZooKeeperUnavailableException("could not create the task", null);
            }
        }
    }

    /**
     * Creates every task of a batch in ONE transaction, so that all of them exist or none does, whatever fails and
     * wherever the reply is lost. Task {@code i} carries the submission token {@code batchToken#i}: after a lost
     * reply, finding any of them proves the whole transaction landed.
     */
    public SubmittedBatch createAll(List<TaskSpec> specs, String batchToken) {
        List<Op> ops = taskCreates(specs);
        OneTransaction.check(ops);
        String floor = newestSeen.get();
        for (int attempt = 1; ; attempt++) {
            try {
                return new SubmittedBatch(idsOf(zooKeeper().multi(ops), specs.size()), false);
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException lost) {
                awaitReconnected();
                Optional<List<String>> landed = findBatch(batchToken, specs.size(), floor);
                if (landed.isPresent()) {
                    return new SubmittedBatch(landed.get(), false);
                }
            } catch (KeeperException e) {
                if (e.code() != KeeperException.Code.NONODE) {
                    throw new IllegalStateException("creating the batch's task znodes: " + e.code(), e);
                }
                ensureRoots(); // nothing was created: safe to try again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZooKeeperUnavailableException("interrupted while creating the tasks", e);
            }
            if (attempt >= 3) {
                throw new ZooKeeperUnavailableException("could not create the tasks", null);
            }
        }
    }

    /**
     * {@link #createAll}, with the key's record in the same transaction: a record names a batch's token and size,
     * and, written right after, the ids of its tasks.
     */
    public SubmittedBatch createAllIdempotent(List<TaskSpec> specs, String batchToken, String key,
                                              String requestHash) {
        String recordPath = ZNodes.idempotencyRecord(key);
        IdempotencyRecord pending = new IdempotencyRecord(batchToken, requestHash, null, clock.instant(),
                specs.size(), null);
        List<Op> ops = new ArrayList<>(taskCreates(specs));
        ops.add(Op.create(recordPath, ProtocolCodec.encode(pending), acls.getAclForPath(recordPath),
                CreateMode.PERSISTENT));
        OneTransaction.check(ops);
        String floor = newestSeen.get();
        for (int attempt = 1; ; attempt++) {
            try {
                List<String> ids = idsOf(zooKeeper().multi(ops), specs.size());
                rememberQuietly(recordPath, pending, ids);
                return new SubmittedBatch(ids, false);
            } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException lost) {
                awaitReconnected();
                Optional<IdempotencyRecord> record = readRecord(recordPath);
                if (record.isPresent()) {
                    // ours (the lost transaction landed) or a concurrent retry's: either way, those tasks
                    return replayBatch(recordPath, record.get(), requestHash, floor,
                            Objects.equals(record.get().submission(), batchToken));
                }
            } catch (KeeperException e) {
                if (Transactions.failedOp(e) == specs.size() && e.code() == KeeperException.Code.NODEEXISTS) {
                    IdempotencyRecord record = readRecord(recordPath).orElseThrow(() ->
                            new IdempotencyConflictException(409, "a request with this Idempotency-Key is being"
                                    + " processed; retry shortly"));
                    return replayBatch(recordPath, record, requestHash, null, false);
                }
                if (e.code() != KeeperException.Code.NONODE) {
                    throw new IllegalStateException("creating the batch's task znodes: " + e.code(), e);
                }
                ensureRoots();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZooKeeperUnavailableException("interrupted while creating the tasks", e);
            }
            if (attempt >= 3) {
                throw new ZooKeeperUnavailableException("could not create the tasks", null);
            }
        }
    }

    private List<Op> taskCreates(List<TaskSpec> specs) {
        String prefix = ZNodes.taskSequentialPrefix();
        return specs.stream().map(spec -> Op.create(prefix, ProtocolCodec.encode(spec), acls.getAclForPath(prefix),
                CreateMode.PERSISTENT_SEQUENTIAL)).toList();
    }

    private List<String> idsOf(List<OpResult> results, int tasks) {
        return results.subList(0, tasks).stream()
                .map(result -> seen(((OpResult.CreateResult) result).getPath())).toList();
    }

    private SubmittedBatch replayBatch(String recordPath, IdempotencyRecord record, String requestHash, String floor,
                                       boolean ours) {
        if (!Objects.equals(record.request(), requestHash) || record.batch() == null) {
            throw new IdempotencyConflictException(422, "this Idempotency-Key was already used for a different"
                    + " request; use a new key for a new batch");
        }
        List<String> ids = record.tasks();
        if (ids == null) {
            ids = findBatch(record.submission(), record.batch(), floor).orElseThrow(() ->
                    new IdempotencyConflictException(409, "a request with this Idempotency-Key is being processed;"
                            + " retry shortly"));
            rememberQuietly(recordPath, record, ids);
        }
        return new SubmittedBatch(ids, !ours);
    }

    /** Second, best-effort write: a replay can always fall back to finding the tasks by their submission tokens. */
    private void rememberQuietly(String recordPath, IdempotencyRecord record, List<String> ids) {
        try {
            client.setData().forPath(recordPath, ProtocolCodec.encode(new IdempotencyRecord(record.submission(),
                    record.request(), null, record.createdAt(), record.batch(), ids)));
        } catch (Exception ignored) {
            // the record without the ids still works, only slower to replay
        }
    }

    /**
     * The ids of the batch's tasks, if its transaction landed. All or none exist (one transaction); a batch found in
     * part had tasks pruned since, long after they finished, and cannot be answered whole.
     */
    private Optional<List<String>> findBatch(String batchToken, int size, String floor) {
        List<String> tokens = IntStream.range(0, size)
                .mapToObj(i -> IdempotencyRecord.batchSubmission(batchToken, i)).toList();
        Map<String, String> found = findBySubmissions(new HashSet<>(tokens), floor);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (found.size() < size) {
            throw new IdempotencyConflictException(409, "only " + found.size() + " of the batch's " + size
                    + " tasks are still kept; use a new key for a new batch");
        }
        return Optional.of(tokens.stream().map(found::get).toList());
    }

    private Submitted replay(String recordPath, IdempotencyRecord record, String requestHash, String floor,
                             boolean ours) {
        if (!Objects.equals(record.request(), requestHash)) {
            throw new IdempotencyConflictException(422, "this Idempotency-Key was already used for a different"
                    + " request; use a new key for a new task");
        }
        String id = record.task();
        if (id == null) {
            id = findBySubmission(record.submission(), floor).orElseThrow(() -> new IdempotencyConflictException(409,
                    "a request with this Idempotency-Key is being processed; retry shortly"));
            rememberQuietly(recordPath, record, id);
        }
        return new Submitted(id, !ours);
    }

    private void remember(String recordPath, TaskSpec spec, String requestHash, String id) {
        rememberQuietly(recordPath, new IdempotencyRecord(spec.submission(), requestHash, null, clock.instant()), id);
    }

    /** Second, best-effort write: a replay can always fall back to finding the task by its submission token. */
    private void rememberQuietly(String recordPath, IdempotencyRecord record, String id) {
        try {
            client.setData().forPath(recordPath, ProtocolCodec.encode(
                    new IdempotencyRecord(record.submission(), record.request(), id, record.createdAt())));
        } catch (Exception ignored) {
            // the record without a task id still works, only slower to replay
        }
    }

    private Optional<String> findAfterReconnect(String submission, String floor) {
        awaitReconnected();
        return findBySubmission(submission, floor);
    }

    /**
     * Looks for the task carrying this submission token, wherever it is by now (queued, assigned, finished), among
     * the ids newer than {@code floor}; {@link SubmissionSearch} says why none can be missed. Only on the rare path
     * after a lost connection.
     */
    private Optional<String> findBySubmission(String submission, String floor) {
        if (submission == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(findBySubmissions(Set.of(submission), floor).get(submission));
    }

    /** Every task carrying one of {@code submissions}, as token to id. */
    private Map<String, String> findBySubmissions(Set<String> submissions, String floor) {
        try {
            client.sync().forPath(ZNodes.TASKS); // the server we reach now has seen the lost create, if it landed
            // read-only, so Curator's retry loop may repeat it whole across a connection that drops again
            Map<String, String> found = RetryLoop.callWithRetry(client.getZookeeperClient(), () ->
                    new SubmissionSearch(client.getZookeeperClient().getZooKeeper()).findAll(submissions, floor));
            found.values().forEach(id -> seen(ZNodes.task(id)));
            return found;
        } catch (Exception e) {
            log.warn("lost the reply to a create, and could not look for the task: {}", e.toString());
            throw new ZooKeeperUnavailableException("lost the connection while creating the task, and could not"
                    + " check whether it was created; retry with an Idempotency-Key to be sure", e);
        }
    }

    private Optional<IdempotencyRecord> readRecord(String recordPath) {
        try {
            return Optional.of(ProtocolCodec.decodeIdempotencyRecord(client.getData().forPath(recordPath)));
        } catch (KeeperException.NoNodeException none) {
            return Optional.empty();
        } catch (MalformedDataException garbage) {
            throw new IdempotencyConflictException(409, "the record of this Idempotency-Key is unreadable; use a"
                    + " new key");
        } catch (Exception e) {
            throw new ZooKeeperUnavailableException("cannot read the Idempotency-Key record", e);
        }
    }

    private String seen(String path) {
        String id = ZNodes.nameOf(path);
        newestSeen.accumulateAndGet(id, (newest, latest) -> newest == null
                || ZNodes.TASK_ORDER.compare(latest, newest) > 0 ? latest : newest);
        return id;
    }

    private ZooKeeper zooKeeper() {
        if (!client.getZookeeperClient().isConnected()) {
            throw new ZooKeeperUnavailableException("ZooKeeper is not reachable", null);
        }
        try {
            return client.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new ZooKeeperUnavailableException("ZooKeeper is not reachable", e);
        }
    }

    private void awaitReconnected() {
        try {
            if (!client.blockUntilConnected((int) reconnectWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ZooKeeperUnavailableException("lost the connection while creating the task; it may or may"
                        + " not exist: retry with an Idempotency-Key to be sure", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("interrupted while reconnecting", e);
        }
    }

    private void ensureRoots() {
        try {
            ZooKeeperClients.ensureRoots(client);
        } catch (Exception e) {
            throw new ZooKeeperUnavailableException("cannot create the protocol's parent znodes", e);
        }
    }
}
