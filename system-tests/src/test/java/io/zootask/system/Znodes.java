package io.zootask.system;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import tools.jackson.databind.JsonNode;

/**
 * The znodes as a plain client (zkCli, a foreign program) reads and writes them: paths spelled out, JSON by hand.
 */
final class Znodes {

    private Znodes() {
    }

    static void create(ZooKeeper zk, String path, String data) throws Exception {
        zk.create(path, data.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    static boolean exists(ZooKeeper zk, String path) throws Exception {
        return zk.exists(path, false) != null;
    }

    static Optional<JsonNode> json(ZooKeeper zk, String path) throws Exception {
        try {
            return Optional.of(Gateway.JSON.readTree(new String(zk.getData(path, false, null),
                    StandardCharsets.UTF_8)));
        } catch (KeeperException.NoNodeException gone) {
            return Optional.empty();
        }
    }

    static List<String> children(ZooKeeper zk, String path) throws Exception {
        return zk.getChildren(path, false);
    }

    /** A task process of this test JVM's workers, found by its command line. */
    static Optional<ProcessHandle> taskProcess(String commandLine) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(commandLine)).findFirst();
    }
}
