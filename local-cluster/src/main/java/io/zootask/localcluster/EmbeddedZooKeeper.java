package io.zootask.localcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.zookeeper.server.ServerConfig;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

/** The real ZooKeeper server, standalone, in this JVM, on 127.0.0.1 only, with a throw-away data directory. */
final class EmbeddedZooKeeper implements AutoCloseable {

    private final Server server = new Server();
    private final Path dataDir;
    private final Thread thread;

    private static final class Server extends ZooKeeperServerMain {
        void stop() {
            shutdown();
        }
    }

    EmbeddedZooKeeper(int port) throws Exception {
        dataDir = Files.createTempDirectory("zootask-zk-");
        Properties props = new Properties();
        props.setProperty("dataDir", dataDir.toString());
        props.setProperty("clientPort", String.valueOf(port));
        props.setProperty("clientPortAddress", "127.0.0.1");
        props.setProperty("tickTime", "2000");
        props.setProperty("maxClientCnxns", "0");
        props.setProperty("admin.enableServer", "false");
        props.setProperty("4lw.commands.whitelist", "srvr,stat,ruok,mntr,cons");
        QuorumPeerConfig quorumConfig = new QuorumPeerConfig();
        quorumConfig.parseProperties(props);
        ServerConfig config = new ServerConfig();
        config.readFrom(quorumConfig);
        java.util.concurrent.CompletableFuture<Void> failed = new java.util.concurrent.CompletableFuture<>();
        thread = new Thread(() -> {
            try {
                server.runFromConfig(config);
            } catch (Throwable e) {
                failed.completeExceptionally(e);
            }
        }, "embedded-zookeeper");
        thread.setDaemon(true);
        thread.start();
        awaitServing(port, failed);
    }

    /** Services started before the server listens would only log connection errors: wait until it answers. */
    private static void awaitServing(int port, java.util.concurrent.CompletableFuture<Void> failed)
            throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (failed.isCompletedExceptionally()) {
                failed.join();
            }
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("ruok".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                if (new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                        .equals("imok")) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100); // polling a port that has no other way to say it is ready
        }
        throw new IllegalStateException("the embedded ZooKeeper did not start listening on 127.0.0.1:" + port
                + " within 30 s (is the port taken? use --zookeeper-port or --zookeeper)");
    }

    @Override
    public void close() throws Exception {
        server.stop();
        thread.join(10_000);
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp dir: the OS cleans what we miss
                }
            });
        }
    }
}
