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

    /** One member of a quorum, in this JVM: the real QuorumPeer, for soak runs that kill ZooKeeper servers. */
    static Thread quorumMember(int serverId, String ensemble) throws Exception {
        Path dir = Files.createTempDirectory("zootask-zk" + serverId + "-");
        Files.writeString(dir.resolve("myid"), String.valueOf(serverId));
        StringBuilder cfg = new StringBuilder("tickTime=500\nmaxSessionTimeout=60000\ninitLimit=40\nsyncLimit=20\n"
                + "admin.enableServer=false\n"
                + "4lw.commands.whitelist=srvr,ruok,mntr\ndataDir=" + dir + "\n");
        String[] members = ensemble.split(",");
        for (int i = 0; i < members.length; i++) {
            String[] parts = members[i].split(":");
            cfg.append("server.").append(i + 1).append('=').append(parts[0]).append(':').append(parts[1]).append(':')
                    .append(parts[2]).append(";127.0.0.1:").append(parts[3]).append('\n');
        }
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(config, cfg.toString());
        // its transaction logs are preallocated 64 MB at a time: gone with the server on SIGTERM, as the standalone's are
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "zookeeper-data-cleanup"));
        Thread thread = new Thread(() -> {
            try {
                new org.apache.zookeeper.server.quorum.QuorumPeerMain() {
                    void run() throws Exception {
                        initializeAndRun(new String[] {config.toString()});
                    }
                }.run();
            } catch (Exception e) {
                System.err.println("[zookeeper] quorum member " + serverId + " stopped: " + e);
            }
        }, "zookeeper-quorum-member");
        thread.start();
        return thread;
    }

    EmbeddedZooKeeper(int port) throws Exception {
        dataDir = Files.createTempDirectory("zootask-zk-");
        Properties props = new Properties();
        props.setProperty("dataDir", dataDir.toString());
        props.setProperty("clientPort", String.valueOf(port));
        props.setProperty("clientPortAddress", "127.0.0.1");
        // Sessions expire on tick boundaries: a short tick keeps failover close to the session timeout.
        props.setProperty("tickTime", "500");
        props.setProperty("maxSessionTimeout", "60000");
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
        deleteTree(dataDir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temp dir: the OS cleans what we miss
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}
