package io.zootask.protocol;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
 * @param auth              the digest identity of secured mode, or {@code null} for open mode (every znode
 *                          {@code world:anyone}, as in the seeds' zkCli walk-throughs)
 * @param clientProperties  ZooKeeper's own client settings ({@code ZKClientConfig}), e.g. for TLS
 *                          {@code zookeeper.client.secure=true},
 *                          {@code zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty},
 *                          {@code zookeeper.ssl.trustStore.location=...}; empty for ZooKeeper's defaults (which
 *                          include any {@code -Dzookeeper.*} JVM system properties)
 */
public record ZooKeeperSettings(String connectString, Duration sessionTimeout, Duration connectionTimeout,
                                Duration retryBaseSleep, int retryMaxAttempts, ZooKeeperAuth auth,
                                Map<String, String> clientProperties) {

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
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }

    /** Open mode, ZooKeeper's default client settings. */
    public ZooKeeperSettings(String connectString, Duration sessionTimeout, Duration connectionTimeout,
                             Duration retryBaseSleep, int retryMaxAttempts) {
        this(connectString, sessionTimeout, connectionTimeout, retryBaseSleep, retryMaxAttempts, null, null);
    }

    public static ZooKeeperSettings defaults(String connectString) {
        return new ZooKeeperSettings(connectString, null, null, null, 3);
    }

    /** The same settings in secured mode with this identity ({@code null}: open mode). */
    public ZooKeeperSettings withAuth(ZooKeeperAuth newAuth) {
        return new ZooKeeperSettings(connectString, sessionTimeout, connectionTimeout, retryBaseSleep,
                retryMaxAttempts, newAuth, clientProperties);
    }

    /** The same settings with these ZooKeeper client properties. */
    public ZooKeeperSettings withClientProperties(Map<String, String> properties) {
        return new ZooKeeperSettings(connectString, sessionTimeout, connectionTimeout, retryBaseSleep,
                retryMaxAttempts, auth, properties);
    }

    /** Secured mode: the services authenticate and every znode they create is closed to anyone else. */
    public boolean secured() {
        return auth != null;
    }

    /** Never prints the password, nor the value of a client property that looks like a secret. */
    @Override
    public String toString() {
        return "ZooKeeperSettings[connectString=" + connectString + ", sessionTimeout=" + sessionTimeout
                + ", connectionTimeout=" + connectionTimeout + ", retryBaseSleep=" + retryBaseSleep
                + ", retryMaxAttempts=" + retryMaxAttempts + ", auth=" + (auth == null ? "open" : auth)
                + ", clientProperties=" + masked(clientProperties) + "]";
    }

    /** The map with the values of secret-looking keys ({@code password}, {@code passwd}, {@code secret}) masked. */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        if (properties != null) {
            properties.forEach((key, value) -> shown.put(key, isSecret(key) ? "****" : value));
        }
        return shown;
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return (k.contains("passw") && !k.endsWith("path")) || k.contains("secret") || k.contains("credential");
    }
}
