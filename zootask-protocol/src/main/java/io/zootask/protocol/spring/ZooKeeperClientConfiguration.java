package io.zootask.protocol.spring;

import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.ZooKeeperSettings;
import java.time.Clock;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one Curator client of a service, built from {@code zootask.zookeeper.*}. Spring Cloud ZooKeeper's own client
 * and health indicator back off in its favour, so discovery, health and zootask share one session, and so one
 * identity and one ACL: the {@code /services} znodes of discovery are created by this client too.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ZooKeeperProperties.class)
public class ZooKeeperClientConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperClientConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    public ZooKeeperSettings zooKeeperSettings(ZooKeeperProperties properties) {
        return properties.toSettings();
    }

    /**
     * The ACL of every znode this service creates, for code that writes on the raw ZooKeeper handle (Curator's own
     * operations get it from the client).
     */
    @Bean
    @ConditionalOnMissingBean
    public ACLProvider zooKeeperAclProvider(ZooKeeperSettings settings) {
        return ZooKeeperClients.aclProvider(settings);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public CuratorFramework curatorFramework(ZooKeeperSettings settings, ZooKeeperProperties properties) {
        if (settings.secured()) {
            log.info("ZooKeeper secured mode: digest user '{}'{}; znodes readable and writable by it only",
                    settings.auth().username(),
                    settings.auth().adminDigest() == null ? "" : " and admin '" + settings.auth().adminName() + "'");
        } else {
            log.info("ZooKeeper open mode: no credentials, znodes open to every client of the ensemble"
                    + " (set zootask.zookeeper.auth.username/password for secured mode)");
        }
        if (!settings.clientProperties().isEmpty()) {
            log.info("ZooKeeper client properties: {}", ZooKeeperSettings.masked(
                    ZooKeeperClients.canonicalClientProperties(settings.clientProperties())));
        }
        CuratorFramework client = ZooKeeperClients.newClient(settings);
        boolean lockRoot = properties.auth() == null || properties.auth().lockRoot();
        // Lay down the protocol's parents as soon as we can, whoever comes first (idempotent, off the event thread).
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state.isConnected()) {
                Thread roots = new Thread(() -> layDownRoots(c, settings, lockRoot), "zookeeper-roots");
                roots.setDaemon(true);
                roots.start();
            }
        });
        // Not blocking until connected: a service must start (and report DOWN) while ZooKeeper is away.
        client.start();
        return client;
    }

    private static void layDownRoots(CuratorFramework client, ZooKeeperSettings settings, boolean lockRoot) {
        try {
            if (settings.secured()) {
                List<String> changed = ZooKeeperClients.secureRoots(client, ZooKeeperClients.acl(settings), lockRoot);
                if (changed.remove("/")) { // open on every fresh ZooKeeper
                    log.info("ZooKeeper secured mode: restricted ZooKeeper's root / to READ for anonymous clients, so"
                            + " that none can create or delete root-level znodes (zootask.zookeeper.auth.lock-root)");
                }
                if (!changed.isEmpty()) {
                    log.warn("ZooKeeper secured mode: {} were open to anonymous clients; restricted them (znodes"
                            + " created under them before keep their ACL)", changed);
                }
            }
            ZooKeeperClients.ensureRoots(client);
        } catch (KeeperException.NoAuthException e) {
            log.error("ZooKeeper refused zootask's identity on {} (NoAuth): {}", e.getPath(), settings.secured()
                    ? "the znode belongs to another identity, or zootask.zookeeper.auth.password is wrong"
                    : "the cluster runs in secured mode; set zootask.zookeeper.auth.username and .password");
        } catch (Exception retriedByWhoeverNeedsThem) {
            // each component also creates the roots it needs when it finds them missing
        }
    }

    @Bean
    public ZooKeeperConnectionHealthIndicator zookeeperHealthIndicator(CuratorFramework client) {
        return new ZooKeeperConnectionHealthIndicator(client);
    }

    @Bean
    @ConditionalOnMissingBean
    public Clock clock() {
        return Clock.systemUTC();
    }
}
