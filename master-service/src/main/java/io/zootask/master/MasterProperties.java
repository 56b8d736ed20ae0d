package io.zootask.master;

import io.zootask.master.retention.RetentionSweeper;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zootask.master.*}.
 *
 * @param name        this master's id in the election and in {@code /master}; defaults to {@code host-pid}
 * @param retention   how long finished statuses and Idempotency-Key records stay in ZooKeeper
 * @param assignParentGrace how long an empty {@code /assign/<w>} whose worker is not registered is left alone before
 *                    the master removes it (never less than the session timeout): a foreign worker may create it
 *                    well before its {@code /workers/<w>}
 * @param maxRequestBytes the largest request the ZooKeeper servers accept: their {@code jute.maxbuffer}, 1 MB - 1 by
 *                    default. A task whose data does not fit into an assignment under it fails at once.
 */
@ConfigurationProperties("zootask.master")
record MasterProperties(String name, @DefaultValue("3") int maxAttempts,
                               @DefaultValue Retention retention,
                               @DefaultValue("60s") Duration assignParentGrace,
                               @DefaultValue("1048575") int maxRequestBytes) {

    /**
     * @param statusMaxAge        finished statuses older than this are deleted
     * @param statusMaxCount      at most this many finished statuses are kept (the oldest go first); at most 40 000
     * @param idempotencyMaxAge   an Idempotency-Key expires this long after its first use
     * @param idempotencyMaxCount at most this many Idempotency-Key records are kept
     * @param interval            how often the active master sweeps
     */
    public record Retention(@DefaultValue("1h") Duration statusMaxAge,
                            @DefaultValue("10000") int statusMaxCount,
                            @DefaultValue("24h") Duration idempotencyMaxAge,
                            @DefaultValue("10000") int idempotencyMaxCount,
                            @DefaultValue("10s") Duration interval) {

        public Retention {
            if (statusMaxCount < 1 || statusMaxCount > RetentionSweeper.LISTABLE_STATUSES) {
                throw new IllegalArgumentException("zootask.master.retention.status-max-count must be between 1 and "
                        + RetentionSweeper.LISTABLE_STATUSES + " (a longer /status child list is more than one"
                        + " getChildren answer can carry), not " + statusMaxCount);
            }
        }
    }
}
