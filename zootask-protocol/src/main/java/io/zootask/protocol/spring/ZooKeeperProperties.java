package io.zootask.protocol.spring;

import io.zootask.protocol.ZooKeeperAuth;
import io.zootask.protocol.ZooKeeperSettings;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zootask.zookeeper.*}: the ZooKeeper client settings shared by every service.
 *
 * @param connectString     the ensemble, e.g. {@code zk1:2181,zk2:2181,zk3:2181}
 * @param sessionTimeout    session timeout; see {@link ZooKeeperSettings#sessionTimeout()} for the choice of 10 s
 * @param connectionTimeout how long one connection attempt may take
 * @param retryBaseSleep    first back-off of the exponential retry on connection loss
 * @param retryMaxAttempts  retries on connection loss before an operation fails
 * @param auth              {@code zootask.zookeeper.auth.*}: secured mode when a user name is set
 * @param clientProperties  {@code zootask.zookeeper.client-properties.*}: ZooKeeper's own client settings (TLS:
 *                          {@code zookeeper.client.secure}, {@code zookeeper.clientCnxnSocket},
 *                          {@code zookeeper.ssl.keyStore.location}, ...); see {@link ZooKeeperSettings}
 */
@ConfigurationProperties("zootask.zookeeper")
record ZooKeeperProperties(@DefaultValue(ZooKeeperSettings.DEFAULT_CONNECT_STRING) String connectString,
                                  @DefaultValue("10s") Duration sessionTimeout,
                                  @DefaultValue("5s") Duration connectionTimeout,
                                  @DefaultValue("100ms") Duration retryBaseSleep,
                                  @DefaultValue("3") int retryMaxAttempts,
                                  @DefaultValue Auth auth,
                                  Map<String, String> clientProperties) {

    public ZooKeeperProperties {
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
    }

    /**
     * {@code zootask.zookeeper.auth.*}: ZooKeeper digest credentials. With a user name set the service runs in
     * secured mode (see {@link ZooKeeperAuth}); without, in open mode.
     *
     * @param username    digest user name shared by every service of the cluster
     * @param password    its password (from an environment variable or a secret, never from a committed file)
     * @param adminDigest optional digest id {@code name:base64(sha1(name:password))} of an admin identity that also
     *                    gets all rights on every znode
     * @param lockRoot    whether the services also restrict ZooKeeper's root {@code /} to READ for anyone else (so
     *                    that nobody anonymous can delete or re-create {@code /master} or an empty {@code /tasks});
     *                    turn off only on an ensemble shared with other applications whose operator guards {@code /}
     */
    public record Auth(String username, String password, String adminDigest, @DefaultValue("true") boolean lockRoot) {

        public boolean enabled() {
            return username != null && !username.isBlank();
        }

        ZooKeeperAuth toAuth() {
            if (!enabled()) {
                if ((password != null && !password.isEmpty()) || (adminDigest != null && !adminDigest.isBlank())) {
                    throw new IllegalArgumentException("zootask.zookeeper.auth.password or .admin-digest is set but"
                            + " zootask.zookeeper.auth.username is not: set the user name for secured mode, or"
                            + " remove both for open mode");
                }
                return null;
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("zootask.zookeeper.auth.username is set but"
                        + " zootask.zookeeper.auth.password is empty");
            }
            return new ZooKeeperAuth(username, password, adminDigest);
        }

        @Override
        public String toString() {
            return "Auth[username=" + username + ", password=" + (password == null ? null : "****")
                    + ", adminDigest=" + (adminDigest == null ? null : "****") + ", lockRoot=" + lockRoot + "]";
        }
    }

    public ZooKeeperSettings toSettings() {
        return new ZooKeeperSettings(connectString, sessionTimeout, connectionTimeout, retryBaseSleep,
                retryMaxAttempts, auth == null ? null : auth.toAuth(), clientProperties);
    }

    /** Never prints the password nor a secret-looking client property. */
    @Override
    public String toString() {
        return "ZooKeeperProperties[connectString=" + connectString + ", sessionTimeout=" + sessionTimeout
                + ", connectionTimeout=" + connectionTimeout + ", retryBaseSleep=" + retryBaseSleep
                + ", retryMaxAttempts=" + retryMaxAttempts + ", auth=" + auth
                + ", clientProperties=" + ZooKeeperSettings.masked(clientProperties) + "]";
    }
}
