package io.zootask.protocol;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

/** Builds Curator clients from {@link ZooKeeperSettings} and lays down the protocol's parent znodes. */
public final class ZooKeeperClients {

    private ZooKeeperClients() {
    }

    /** A new, not yet started client. The caller owns it: start it, and close it when done. */
    public static CuratorFramework newClient(ZooKeeperSettings settings) {
        return CuratorFrameworkFactory.builder()
                .connectString(settings.connectString())
                .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry((int) settings.retryBaseSleep().toMillis(),
                        settings.retryMaxAttempts()))
                .build();
    }

    /**
     * Creates {@code /tasks}, {@code /workers}, {@code /assign}, {@code /running}, {@code /status} and the election
     * path if they are missing. Persistent, not containers: an empty queue must not make {@code /tasks} disappear
     * under a zkCli user. Create-and-ignore-NodeExists, never check-then-create.
     */
    public static void ensureRoots(CuratorFramework client) throws Exception {
        for (String root : ZNodes.ROOTS) {
            try {
                client.create().forPath(root, new byte[0]);
            } catch (KeeperException.NodeExistsException alreadyThere) {
                // someone (another service, a zkCli user) was first: exactly what we wanted
            }
        }
    }
}
