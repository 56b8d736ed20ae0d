package io.zootask.bench;

import io.zootask.protocol.ZooKeeperAuth;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * The benchmark's own ZooKeeper sessions. ZooKeeper's secured mode when ZOOTASK_ZOOKEEPER_AUTH_USERNAME/_PASSWORD are
 * set: the services inherit them, and these sessions authenticate and create with the same ACL. Otherwise open mode.
 */
final class BenchZooKeeper {

    static final ZooKeeperAuth AUTH = ZooKeeperAuth.fromEnvironment(System.getenv());
    static final List<ACL> ACL = AUTH == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE : AUTH.acl();

    private BenchZooKeeper() {
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot connect to ZooKeeper at " + connect);
        }
        if (AUTH != null) {
            zk.addAuthInfo(ZooKeeperAuth.SCHEME, AUTH.credentials());
        }
        return zk;
    }
}
