package io.zootask.protocol.spring;

import io.zootask.protocol.ZooKeeperSettings;
import java.time.Duration;
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
 */
@ConfigurationProperties("zootask.zookeeper")
public record ZooKeeperProperties(@DefaultValue(ZooKeeperSettings.DEFAULT_CONNECT_STRING) String connectString,
                                  @DefaultValue("10s") Duration sessionTimeout,
                                  @DefaultValue("5s") Duration connectionTimeout,
                                  @DefaultValue("100ms") Duration retryBaseSleep,
                                  @DefaultValue("3") int retryMaxAttempts) {

    public ZooKeeperSettings toSettings() {
        return new ZooKeeperSettings(connectString, sessionTimeout, connectionTimeout, retryBaseSleep,
                retryMaxAttempts);
    }
}
