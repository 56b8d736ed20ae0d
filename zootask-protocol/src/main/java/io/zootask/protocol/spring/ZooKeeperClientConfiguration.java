package io.zootask.protocol.spring;

import io.zootask.protocol.ZooKeeperClients;
import java.time.Clock;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one Curator client of a service, built from {@code zootask.zookeeper.*}. Spring Cloud ZooKeeper's own client
 * and health indicator back off in its favour, so discovery, health and zootask share one session.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ZooKeeperProperties.class)
public class ZooKeeperClientConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public CuratorFramework curatorFramework(ZooKeeperProperties properties) {
        CuratorFramework client = ZooKeeperClients.newClient(properties.toSettings());
        // Lay down the protocol's parents as soon as we can, whoever comes first (idempotent, off the event thread).
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state.isConnected()) {
                Thread roots = new Thread(() -> {
                    try {
                        ZooKeeperClients.ensureRoots(c);
                    } catch (Exception retriedByWhoeverNeedsThem) {
                        // each component also creates the roots it needs when it finds them missing
                    }
                }, "zookeeper-roots");
                roots.setDaemon(true);
                roots.start();
            }
        });
        // Not blocking until connected: a service must start (and report DOWN) while ZooKeeper is away.
        client.start();
        return client;
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
