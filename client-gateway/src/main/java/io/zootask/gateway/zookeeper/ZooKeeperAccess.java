package io.zootask.gateway.zookeeper;

import io.zootask.gateway.errors.ZooKeeperUnavailableException;
import java.util.concurrent.Callable;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

/**
 * How the gateway's request handlers read ZooKeeper: they fail fast with {@link ZooKeeperUnavailableException} (503)
 * when the client is disconnected, instead of holding the request through Curator's retries, and connection-level
 * failures map the same way. Other ZooKeeper errors propagate for the caller to interpret.
 *
 * <p>Two parts of the gateway use the client directly, on purpose: {@code TaskSubmitter}, whose create must not be
 * retried blindly and which recovers a lost reply itself, and {@code QueueDepth}, a background count that answers
 * from its cache while ZooKeeper is away.
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
