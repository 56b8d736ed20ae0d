package io.zootask.master.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import io.zootask.protocol.Transactions;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ZooKeeper a coordination store, not an archive: finished statuses and Idempotency-Key records are deleted
 * once older than their retention or beyond their count, oldest first, so no child list ever nears the size at which
 * {@code getChildren} fails (~1 MB of names). Run by the active master only.
 */
public class RetentionSweeper {

    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
    /**
     * Deletes per transaction. ZooKeeper applies writes one at a time: while it applies a transaction, every other
     * write waits (and every task's next step is a write). 500 deletes, and a sweep sent several back to back, held
     * tasks up by 100-200 ms; 50 keep each wait to a millisecond or two.
     */
    private static final int BATCH = 50;
    /**
     * Between two transactions of a sweep, a pause twice as long as the last one took (at most this): a third of
     * ZooKeeper's write path at most goes to pruning, and the tasks' writes get in between. Since the statuses over
     * the count are deleted every second, pruning keeps up at that pace (thousands a second) and need not take more.
     */
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * The most statuses ever kept, whatever the grace: a {@code getChildren} answer of about 1 MB (ZooKeeper's default
     * {@code jute.maxbuffer}) holds some 55 000 task names, and every reader of {@code /status} (the gateway's list,
     * this sweeper) needs the list whole. {@code status-max-count} may not exceed it.
     */
    public static final int LISTABLE_STATUSES = 40_000;

    public record Retention(Duration maxAge, int maxCount) {
    }

    private record Entry(String path, long createdMillis) {
    }

    private final CuratorFramework client;
    private final Clock clock;
    private final Retention statuses;
    private final Retention idempotencyKeys;
    private final Counter pruned;
    private final Duration minReadable;
    private final StatusIndex statusIndex;

    /** @param minReadable over the count, a status is still kept this long after it was written */
    public RetentionSweeper(CuratorFramework client, Clock clock, Retention statuses, Retention idempotencyKeys,
                            Duration minReadable, MeterRegistry meters) {
        this.minReadable = minReadable;
        this.client = client;
        this.clock = clock;
        this.statuses = statuses;
        this.idempotencyKeys = idempotencyKeys;
        this.pruned = meters.counter("zootask.master.pruned");
        this.statusIndex = new StatusIndex(client, clock);
    }

    /** This master leads: from now on it follows {@code /status} instead of listing it at every sweep. */
    public void startFollowing() {
        statusIndex.start();
    }

    public void stopFollowing() {
        statusIndex.stop();
    }

    /** Whether the statuses are followed and listed since the watch was set. */
    boolean following() {
        return statusIndex.isCurrent();
    }

    int knownStatuses() {
        return statusIndex.size();
    }

    /**
     * Between sweeps, while more statuses are kept than the count: deletes those whose grace has just run out. With
     * {@code /status} followed this reads nothing, so it can run every second and delete a second's worth each time,
     * instead of a sweep interval's worth at once.
     */
    public void sweepOverCount(String leadershipPath) {
        if (statusIndex.isCurrent()) { // within the count, nothing is over it: the walk ends at once
            guarded(() -> deleteInBatches(expiredStatuses(statuses, true), leadershipPath));
        }
    }

    /**
     * One sweep, every delete fenced by {@code leadershipPath} (the active master's election node) like the master's
     * other writes: a master that lost its leadership while it listed deletes nothing. A stale sweep could only
     * delete what had expired anyway, but one rule for every master write is easier to trust than an argument.
     */
    public void sweep(String leadershipPath) {
        int deleted = guarded(() -> deleteInBatches(expiredStatuses(statuses, false), leadershipPath)
                + pruneIdempotencyRecords(leadershipPath));
        if (deleted > 0) {
            log.info("pruned {} finished status(es) and idempotency record(s)", deleted);
        }
    }

    private interface Pruning {
        int run() throws Exception;
    }

    /** Runs {@code pruning} on the sweeping thread, which nothing may stop but the end of the term: how many went. */
    private static int guarded(Pruning pruning) {
        try {
            return pruning.run();
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt(); // the term ended: the next leader sweeps
        } catch (NotLeading notLeading) {
            log.info("retention sweep stopped: this master does not lead any more");
        } catch (Exception e) {
            log.warn("retention sweep failed: {}", e.toString());
        }
        return 0;
    }

    private int pruneIdempotencyRecords(String fence) throws Exception {
        List<String> names;
        try {
            names = client.getChildren().forPath(ZNodes.IDEMPOTENCY);
        } catch (KeeperException.NoNodeException none) {
            return 0;
        }
        long cutoff = clock.millis() - idempotencyKeys.maxAge().toMillis();
        int excess = names.size() - idempotencyKeys.maxCount();
        return deleteInBatches(expiredByCreationTime(ZNodes.IDEMPOTENCY, names, excess, cutoff), fence);
    }

    /** Deletes {@code expired}, {@value #BATCH} per transaction, pausing in between twice as long as the last took. */
    private int deleteInBatches(List<String> expired, String fence) throws InterruptedException, NotLeading {
        int deleted = 0;
        long took = 0;
        for (int from = 0; from < expired.size(); from += BATCH) {
            if (from > 0) {
                pauseAfter(took);
            }
            long started = System.nanoTime();
            deleted += deleteAll(expired.subList(from, Math.min(expired.size(), from + BATCH)), fence);
            took = System.nanoTime() - started;
        }
        return deleted;
    }

    private static void pauseAfter(long tookNanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(Math.min(2 * tookNanos, MAX_PAUSE_NANOS));
    }

    /**
     * Statuses are named after their task, so the sequence number orders them by submission: the excess goes without
     * reading anything, and only the oldest of the rest are read (for their age), up to the first one young enough to
     * stay ({@code overCountOnly}: not even those).
     */
    private List<String> expiredStatuses(Retention retention, boolean overCountOnly) throws Exception {
        NavigableMap<String, Long> known = statusIndex.statuses();
        // one pass in order, no lookups: a lookup compares sequence numbers all the way down the index, and tens of
        // thousands of them every second were most of the master's CPU at a thousand tasks/s
        int size = known.size();
        int excess = size - retention.maxCount();
        // Past LISTABLE the oldest go whatever their age: the child list must stay one that getChildren can return.
        int beyondListable = Math.max(0, size - LISTABLE_STATUSES);
        // A long or retried task finishes late with a low number: over the count, a status still goes only once it
        // has been readable for a while, so nobody's fresh result vanishes at the next sweep. When this master first
        // knew of it stands in for when it was written (never earlier, so never too soon), without reading each one.
        long graceCutoff = clock.millis() - minReadable.toMillis();
        List<String> expired = new ArrayList<>();
        Iterator<Map.Entry<String, Long>> oldestFirst = known.entrySet().iterator();
        for (int i = 0; i < Math.max(beyondListable, excess) && oldestFirst.hasNext(); i++) {
            Map.Entry<String, Long> status = oldestFirst.next();
            if (i < beyondListable || status.getValue() < graceCutoff) {
                expired.add(ZNodes.status(status.getKey()));
            }
        }
        if (overCountOnly) {
            return expired;
        }
        long cutoff = clock.millis() - retention.maxAge().toMillis();
        while (oldestFirst.hasNext()) {
            String path = ZNodes.status(oldestFirst.next().getKey());
            Stat stat = client.checkExists().forPath(path);
            if (stat == null) {
                continue;
            }
            if (stat.getCtime() >= cutoff) {
                break; // within the count and young enough: so is (nearly) everything submitted later
            }
            expired.add(path);
        }
        return expired;
    }

    /** Idempotency records are named by a hash: their age is only in their stat. */
    private List<String> expiredByCreationTime(String parent, List<String> names, int excess, long cutoff)
            throws Exception {
        List<Entry> entries = new ArrayList<>(names.size());
        for (String name : names) {
            Stat stat = client.checkExists().forPath(ZNodes.childOf(parent, name));
            if (stat != null) {
                entries.add(new Entry(ZNodes.childOf(parent, name), stat.getCtime()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::createdMillis));
        List<String> expired = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (i >= excess && entry.createdMillis() >= cutoff) {
                break; // sorted by age: everything after is younger and within the count
            }
            expired.add(entry.path());
        }
        return expired;
    }

    /**
     * One transaction for the whole chunk: pruning is one write per {@value #BATCH} tasks, not one per task. If it is
     * refused (one entry went meanwhile, or has foreign children), the chunk is deleted entry by entry.
     */
    private int deleteAll(List<String> paths, String fence) throws InterruptedException, NotLeading {
        try {
            List<CuratorOp> ops = new ArrayList<>(paths.size() + 1);
            ops.add(client.transactionOp().check().forPath(fence));
            for (String path : paths) {
                ops.add(client.transactionOp().delete().forPath(path));
            }
            client.transaction().forOperations(ops);
            pruned.increment(paths.size());
            paths.forEach(this::forget);
            return paths.size();
        } catch (KeeperException refused) {
            if (Transactions.failedOp(refused) == 0) {
                throw new NotLeading();
            }
            int deleted = 0;
            for (String path : paths) {
                try {
                    client.transaction().forOperations(client.transactionOp().check().forPath(fence),
                            client.transactionOp().delete().forPath(path));
                    deleted++;
                    pruned.increment();
                    forget(path);
                } catch (KeeperException e) {
                    int failed = Transactions.failedOp(e);
                    if (failed == 0) {
                        throw new NotLeading();
                    }
                    if (failed < 0) {
                        log.warn("cannot prune {}: {}", path, e.toString());
                    }
                    // otherwise gone already, or foreign children under it: leave it
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    log.warn("cannot prune {}: {}", path, e.toString());
                }
            }
            return deleted;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log.warn("cannot prune: {}", e.toString());
            return 0;
        }
    }

    private void forget(String path) {
        if (ZNodes.STATUS.equals(ZNodes.parentOf(path))) {
            statusIndex.forget(ZNodes.nameOf(path));
        }
    }

    /** The fence failed: this master does not lead any more, and the rest of the sweep is the next leader's. */
    private static final class NotLeading extends Exception {
        NotLeading() {
            super(null, null, false, false);
        }
    }
}
