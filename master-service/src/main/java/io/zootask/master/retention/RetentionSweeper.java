package io.zootask.master.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
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

    public record Retention(Duration maxAge, int maxCount) {
    }

    private record Entry(String path, long createdMillis) {
    }

    private final CuratorFramework client;
    private final Clock clock;
    private final Retention statuses;
    private final Retention idempotencyKeys;
    private final Counter pruned;

    public RetentionSweeper(CuratorFramework client, Clock clock, Retention statuses, Retention idempotencyKeys,
                            MeterRegistry meters) {
        this.client = client;
        this.clock = clock;
        this.statuses = statuses;
        this.idempotencyKeys = idempotencyKeys;
        this.pruned = meters.counter("zootask.master.pruned");
    }

    public void sweep() {
        try {
            int deleted = prune(ZNodes.STATUS, statuses) + prune(ZNodes.IDEMPOTENCY, idempotencyKeys);
            if (deleted > 0) {
                log.info("pruned {} finished status(es) and idempotency record(s)", deleted);
            }
        } catch (Exception e) {
            log.warn("retention sweep failed: {}", e.toString());
        }
    }

    private int prune(String parent, Retention retention) throws Exception {
        List<String> names;
        try {
            names = client.getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException none) {
            return 0;
        }
        long cutoff = clock.millis() - retention.maxAge().toMillis();
        int excess = names.size() - retention.maxCount();
        if (excess <= 0 && names.isEmpty()) {
            return 0;
        }
        List<Entry> entries = new ArrayList<>(names.size());
        for (String name : names) {
            Stat stat = client.checkExists().forPath(parent + "/" + name);
            if (stat != null) {
                entries.add(new Entry(parent + "/" + name, stat.getCtime()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::createdMillis));
        int deleted = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            boolean overCount = i < excess;
            if (!overCount && entry.createdMillis() >= cutoff) {
                break; // sorted by age: everything after is younger and within the count
            }
            try {
                client.delete().forPath(entry.path());
                deleted++;
                pruned.increment();
            } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException skip) {
                // gone already, or foreign children under it: leave it
            }
        }
        return deleted;
    }
}
