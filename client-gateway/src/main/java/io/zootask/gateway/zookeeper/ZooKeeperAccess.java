package io.zootask.gateway.zookeeper;

import io.zootask.gateway.errors.ZooKeeperUnavailableException;
import java.util.concurrent.Callable;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

/**
 * The gateway's one door to ZooKeeper. Fails fast with {@link ZooKeeperUnavailableException} (503) when the client is
 * disconnected, instead of holding the request through Curator's retries, and maps connection-level failures the
 * same way. Other ZooKeeper errors propagate for the caller to interpret.
 */
@Component
public class ZooKeeperAccess {

    private final CuratorFramework client;

    public ZooKeeperAccess(CuratorFramework client) {
        this.client = client;
    }

    public CuratorFramework client() {
        return client;
    }

    public <T> T call(Callable<T> operation) throws KeeperException {
        if (!client.getZookeeperClient().isConnected()) {
            throw new ZooKeeperUnavailableException("ZooKeeper is not reachable", null);
        }
        try {
            return operation.call();
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                 | KeeperException.OperationTimeoutException | KeeperException.SessionMovedException e) {
            throw new ZooKeeperUnavailableException("lost the connection to ZooKeeper", e);
        } catch (KeeperException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZooKeeperUnavailableException("interrupted while talking to ZooKeeper", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ZooKeeperUnavailableException("ZooKeeper operation failed", e);
        }
    }
}
