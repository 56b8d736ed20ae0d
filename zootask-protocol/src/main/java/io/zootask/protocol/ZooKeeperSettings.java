package io.zootask.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How every zootask service talks to ZooKeeper. The same values apply to the gateway, the masters and the workers so
 * that failure detection behaves the same everywhere.
 *
 * @param connectString     the ensemble, {@code host:port[,host:port...]}
 * @param sessionTimeout    how long a silent client keeps its session (and its ephemeral znodes). It bounds how fast
 *                          a dead master or worker is noticed (failover within it plus about a second). 10 s: a
 *                          client notices silence after 2/3 of it and a worker must give up its tasks in the last
 *                          third, before the server expires it (~2.5 s after disconnecting), while moving to another
 *                          server when one of an ensemble dies takes the ZooKeeper client up to ~2 s (random backoff
 *                          of up to 1 s per attempt); shorter would kill tasks on a single server loss. See TN14.
 * @param connectionTimeout how long one attempt to (re)connect may take
 * @param retryBaseSleep    first back-off of Curator's exponential retry
 * @param retryMaxAttempts  how many times Curator retries an operation on connection loss
 */
public record ZooKeeperSettings(String connectString, Duration sessionTimeout, Duration connectionTimeout,
                                Duration retryBaseSleep, int retryMaxAttempts) {

    public static final String DEFAULT_CONNECT_STRING = "127.0.0.1:2181";
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public ZooKeeperSettings {
        Objects.requireNonNull(connectString, "connectString");
        sessionTimeout = Objects.requireNonNullElse(sessionTimeout, DEFAULT_SESSION_TIMEOUT);
        connectionTimeout = Objects.requireNonNullElse(connectionTimeout, Duration.ofSeconds(5));
        retryBaseSleep = Objects.requireNonNullElse(retryBaseSleep, Duration.ofMillis(100));
        if (retryMaxAttempts < 0) {
            throw new IllegalArgumentException("retryMaxAttempts must not be negative");
        }
    }

    public static ZooKeeperSettings defaults(String connectString) {
        return new ZooKeeperSettings(connectString, null, null, null, 3);
    }
}
