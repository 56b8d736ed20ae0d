package io.zootask.protocol.spring;

import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.health.contributor.Health;
import org.springframework.cloud.zookeeper.ZookeeperHealthIndicator;

/**
 * Health of the ZooKeeper connection, answered from the client's own state without a round trip: a health probe must
 * answer at once while ZooKeeper is unreachable, not after Curator's retries. Extends Spring Cloud's indicator so
 * that its auto-configured one backs off and the component keeps the name {@code zookeeper}.
 */
class ZooKeeperConnectionHealthIndicator extends ZookeeperHealthIndicator {

    private final CuratorFramework client;

    public ZooKeeperConnectionHealthIndicator(CuratorFramework client) {
        super(client);
        this.client = client;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean connected = client.getZookeeperClient().isConnected();
        (connected ? builder.up() : builder.down())
                .withDetail("connectString", client.getZookeeperClient().getCurrentConnectionString())
                .withDetail("state", connected ? "CONNECTED" : "DISCONNECTED");
        if (connected) {
            builder.withDetail("sessionId", "0x" + Long.toHexString(sessionIdOrZero()));
        }
    }

    private long sessionIdOrZero() {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0L;
        }
    }
}
