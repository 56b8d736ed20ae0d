package io.zootask.worker.completion;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Group commit for the worker's transactions. Each task's start or completion is a small unit of operations that
 * must apply atomically; while one ZooKeeper transaction is in flight, the units that arrive meanwhile queue up and
 * go out together in the next one. Under load that is one write (one zxid, one disk sync) for many tasks instead of
 * one each; alone, a unit is committed at once, so a quiet worker pays no latency for it.
 *
 * <p>A transaction is all or nothing: if a combined one is refused, each of its units is committed again on its own,
 * so the refusal reaches only the unit it belongs to, with its own precise error.
 */
public final class GroupCommitter implements AutoCloseable {

    /** Units per transaction, and their bytes: ZooKeeper refuses any request over 1 MB (jute.maxbuffer). */
    static final int MAX_UNITS = 100;
    static final int MAX_BYTES = 512 * 1024;

    /**
     * The largest unit that is sent at all. ZooKeeper's server does not refuse a request over {@code jute.maxbuffer}
     * (1 MB - 1 by default): it closes the connection, the client retries, and the same happens again, for ever,
     * while every other operation of the worker fails with the connection. Such a unit is refused here instead.
     */
    static final int MAX_UNIT_BYTES = 1024 * 1024 - 1 - 8 * 1024;

    /** What an operation costs besides its data and path: headers, version, flags, an ACL or two. */
    private static final int OP_OVERHEAD_BYTES = 256;

    private final CuratorFramework client;
    private final BlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    private record Unit(List<CuratorOp> ops, int bytes, CompletableFuture<Void> done) {
    }

    public GroupCommitter(CuratorFramework client) {
        this.client = client;
        this.thread = new Thread(this::loop, "group-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Commits {@code ops} atomically (possibly in one transaction with other units) and returns when they are
     * applied; throws what ZooKeeper said if they were refused, exactly as a transaction of their own would.
     *
     * @param bytes the data the ops carry, to keep combined transactions below ZooKeeper's request limit
     */
    public void commit(List<CuratorOp> ops, int bytes) throws Exception {
        if (closed) {
            throw new IllegalStateException("the worker is shutting down");
        }
        int size = bytes + ops.stream().mapToInt(GroupCommitter::overheadOf).sum();
        if (size > MAX_UNIT_BYTES) {
            throw new UnitTooLargeException(size);
        }
        Unit unit = new Unit(ops, size, new CompletableFuture<>());
        queue.add(unit);
        if (closed) { // close() may have drained the queue before our add: nobody else will answer this unit
            unit.done().completeExceptionally(new IllegalStateException("the worker is shutting down"));
        }
        try {
            unit.done().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static int overheadOf(CuratorOp op) {
        String path = op.get().getPath();
        return OP_OVERHEAD_BYTES + (path == null ? 0 : path.length());
    }

    /** A unit ZooKeeper would never accept: it was not sent. */
    public static final class UnitTooLargeException extends IllegalArgumentException {

        UnitTooLargeException(int bytes) {
            super("a transaction of about " + bytes + " bytes exceeds ZooKeeper's request limit (at most "
                    + MAX_UNIT_BYTES + " are sent)");
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000); // let a transaction in flight answer its callers before the rest are failed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Unit> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(u -> u.done().completeExceptionally(new IllegalStateException("the worker is shutting down")));
    }

    private void loop() {
        List<Unit> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            // A unit that is large on its own (up to MAX_UNIT_BYTES) is never joined by others, nor joins them: if it
            // fails, it fails alone, and a batch of small completions stays far from the request limit.
            int bytes = batch.get(0).bytes();
            Unit next;
            while (batch.size() < MAX_UNITS && (next = queue.peek()) != null && bytes + next.bytes() < MAX_BYTES) {
                batch.add(queue.poll());
                bytes += next.bytes();
            }
            commitBatch(batch);
            batch.clear();
        }
    }

    private void commitBatch(List<Unit> batch) {
        if (batch.size() == 1) {
            commitAlone(batch.get(0));
            return;
        }
        List<CuratorOp> all = new ArrayList<>();
        batch.forEach(u -> all.addAll(u.ops()));
        try {
            client.transaction().forOperations(all);
            batch.forEach(u -> u.done().complete(null));
        } catch (KeeperException e) {
            if (isConnectionProblem(e)) {
                // Nothing to learn unit by unit: each caller retries (or gives up with its session) on its own.
                batch.forEach(u -> u.done().completeExceptionally(e));
            } else {
                // One unit spoiled the batch (or a retried batch found its first try applied): let each answer alone.
                batch.forEach(this::commitAlone);
            }
        } catch (Exception e) {
            batch.forEach(u -> u.done().completeExceptionally(e));
        }
    }

    private static boolean isConnectionProblem(KeeperException e) {
        return switch (e.code()) {
            case CONNECTIONLOSS, OPERATIONTIMEOUT, SESSIONEXPIRED, SESSIONMOVED, REQUESTTIMEOUT -> true;
            default -> false;
        };
    }

    private void commitAlone(Unit unit) {
        try {
            client.transaction().forOperations(unit.ops());
            unit.done().complete(null);
        } catch (Exception e) {
            unit.done().completeExceptionally(e);
        }
    }
}
