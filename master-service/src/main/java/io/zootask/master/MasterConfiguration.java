package io.zootask.master;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.active.ActiveMaster;
import io.zootask.master.election.MasterElection;
import io.zootask.master.retention.RetentionSweeper;
import io.zootask.protocol.MasterInfo;
import io.zootask.protocol.ProcessIdentity;
import io.zootask.protocol.ZooKeeperSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class MasterConfiguration {

    @Bean
    MasterElection masterElection(CuratorFramework client, MasterProperties properties, ZooKeeperSettings zooKeeper,
                                  Clock clock, MeterRegistry meters) {
        String host = ProcessIdentity.host();
        long pid = ProcessIdentity.pid();
        String id = ProcessIdentity.nameOr(properties.name());
        MasterProperties.Retention retention = properties.retention();
        RetentionSweeper sweeper = new RetentionSweeper(client, clock,
                new RetentionSweeper.Retention(retention.statusMaxAge(), retention.statusMaxCount()),
                new RetentionSweeper.Retention(retention.idempotencyMaxAge(), retention.idempotencyMaxCount()),
                retention.interval().multipliedBy(3), meters);
        // Never shorter than a session: a foreign worker between its two creates must not lose its parent sooner
        // than its own crash would.
        Duration grace = properties.assignParentGrace().compareTo(zooKeeper.sessionTimeout()) < 0
                ? zooKeeper.sessionTimeout() : properties.assignParentGrace();
        ActiveMaster.Settings settings = new ActiveMaster.Settings(grace, properties.maxRequestBytes());
        return new MasterElection(client, new MasterInfo(id, host, pid, null), settings, clock, meters, sweeper,
                retention.interval());
    }

    /** Joins the election once the application is up; on shutdown, leaves it first so a standby takes over now. */
    @Bean
    SmartLifecycle masterLifecycle(MasterElection election) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                try {
                    election.start();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot join the master election", e);
                }
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                election.stop();
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return Integer.MAX_VALUE - 1000;
            }
        };
    }

    @Bean
    InfoContributor masterInfo(MasterElection election) {
        return builder -> {
            Map<String, Object> master = new LinkedHashMap<>();
            master.put("id", election.masterId());
            master.put("role", election.leads() ? "leader" : "standby");
            master.put("leader", election.leaderId().orElse(null));
            if (election.leads()) {
                master.put("queueDepth", election.queueDepth());
            }
            builder.withDetail("master", master);
        };
    }
}
