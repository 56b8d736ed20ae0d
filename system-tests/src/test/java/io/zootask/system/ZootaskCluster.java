package io.zootask.system;

import io.zootask.gateway.GatewayApplication;
import io.zootask.master.MasterApplication;
import io.zootask.worker.WorkerApplication;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole zootask in one test JVM: a real ZooKeeper server (curator-test's TestingServer runs the real server code,
 * or any ensemble given by connect string), and real master, worker and gateway applications, each its own Spring
 * context with its own ZooKeeper session, exactly as they run in production.
 */
final class ZootaskCluster implements AutoCloseable {

    private final TestingServer server;
    private final TestingCluster ensemble;
    private final String connectString;
    private final List<ConfigurableApplicationContext> apps = Collections.synchronizedList(new ArrayList<>());
    private final List<ZooKeeper> plainClients = new ArrayList<>();
    private final List<String> common = new ArrayList<>();

    ZootaskCluster() throws Exception {
        // the server answers "wchp" (watches by path), for tests of what a client leaves behind on it
        System.setProperty("zookeeper.4lw.commands.whitelist", "srvr,wchp");
        this.server = new TestingServer(true);
        this.ensemble = null;
        this.connectString = server.getConnectString();
    }

    ZootaskCluster(String connectString) {
        this.server = null;
        this.ensemble = null;
        this.connectString = connectString;
    }

    /** On a real quorum: {@code servers} ZooKeeper servers in this JVM, each the real server code. */
    ZootaskCluster(int servers) throws Exception {
        this.server = null;
        this.ensemble = new TestingCluster(servers);
        ensemble.start();
        this.connectString = ensemble.getConnectString();
    }

    TestingCluster ensemble() {
        return ensemble;
    }

    String connectString() {
        return connectString;
    }

    TestingServer server() {
        return server;
    }

    /** Properties ({@code key=value}) given to every application started from now on, e.g. ZooKeeper credentials. */
    ZootaskCluster withProperties(String... properties) {
        common.addAll(List.of(properties));
        return this;
    }

    /**
     * The gateway's Spring Security is on this one JVM's classpath, where Boot would also lock the masters' and
     * workers' actuators behind a generated password; their own jars do not have it, so here it is switched off.
     */
    private static final String WITHOUT_GATEWAY_SECURITY = "spring.autoconfigure.exclude="
            + "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration";

    /** The gateway ships on Jetty; Tomcat, there for the masters and workers, is on this JVM's classpath too. */
    private static final String ON_JETTY = "spring.autoconfigure.exclude="
            + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

    ConfigurableApplicationContext master(String name, String... extra) {
        return start(MasterApplication.class, props("zootask.master.name=" + name,
                append(extra, WITHOUT_GATEWAY_SECURITY)));
    }

    ConfigurableApplicationContext worker(String name, int slots, String... extra) {
        return start(WorkerApplication.class, props("zootask.worker.name=" + name, append(extra,
                "zootask.worker.slots=" + slots, "zootask.worker.drain-grace=20s", WITHOUT_GATEWAY_SECURITY)));
    }

    Gateway gateway(String... extra) {
        return new Gateway(start(GatewayApplication.class, props("zootask.gateway.retry-after=3s",
                append(extra, ON_JETTY))));
    }

    /**
     * A gateway with its own {@code application.yml}. In this one test JVM every service's {@code application.yml} is
     * on the classpath under the same name and {@code classpath:application.yml} finds only the first (the master's),
     * so {@link #gateway} runs with the master's settings; security settings (who sees health details) must be tested
     * with the gateway's.
     */
    Gateway gatewayAsShipped(String... extra) {
        java.net.URL code = GatewayApplication.class.getProtectionDomain().getCodeSource().getLocation();
        String config = code.getPath().endsWith(".jar") ? "jar:" + code + "!/application.yml" : code + "application.yml";
        return gateway(append(extra, "spring.config.location=" + config));
    }

    /** A plain ZooKeeper client, as another program or zkCli would use: no Curator, no zootask code. */
    ZooKeeper plainClient() throws IOException, InterruptedException {
        return plainClient(null);
    }

    /** A plain client that first does {@code addauth digest user:password}, as a zkCli user of secured mode would. */
    ZooKeeper plainClient(String digestUserPassword) throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("plain client did not connect");
        }
        plainClients.add(zk);
        if (digestUserPassword != null) {
            zk.addAuthInfo("digest", digestUserPassword.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return zk;
    }

    /** The paths the server holds a watch on, from its {@code wchp} four-letter word (a single server only). */
    Set<String> watchedPaths() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.getPort())) {
            socket.getOutputStream().write("wchp".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Set<String> paths = new HashSet<>();
            for (String line : answer.split("\n")) {
                if (line.startsWith("/")) {
                    paths.add(line.strip());
                }
            }
            return paths;
        }
    }

    /** What {@code create -s /tasks/task- "<data>"} does in zkCli: the new task's id. */
    static String createTaskLikeZkCli(ZooKeeper zk, String data) throws Exception {
        String path = zk.create("/tasks/task-", data.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL);
        return path.substring("/tasks/".length());
    }

    /** Waits for {@code /status/<id>} as a zkCli user would ({@code get -w}), and reads it as JSON. */
    static tools.jackson.databind.JsonNode awaitStatus(ZooKeeper zk, String id, Duration within) throws Exception {
        org.awaitility.Awaitility.await().atMost(within).until(() -> zk.exists("/status/" + id, false) != null);
        return Gateway.JSON.readTree(new String(zk.getData("/status/" + id, false, null),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The id the active master published in {@code /master}, or null while none leads. */
    static String activeMaster(ZooKeeper zk) throws Exception {
        try {
            return io.zootask.protocol.ProtocolCodec.decodeMaster(zk.getData("/master", false, null)).id();
        } catch (org.apache.zookeeper.KeeperException.NoNodeException none) {
            return null;
        }
    }

    static String port(ConfigurableApplicationContext app) {
        return app.getEnvironment().getProperty("local.server.port");
    }

    private ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
        // As command-line arguments: they win over application.yml, as they do for bin/local-cluster.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(application).run(args);
        apps.add(app);
        return app;
    }

    private Map<String, Object> props(String first, String... extra) {
        Map<String, Object> map = new HashMap<>();
        map.put("zootask.zookeeper.connect-string", connectString);
        // shorter than the 10 s default so that tests of dead workers wait less; the smallest TestingServer allows
        map.put("zootask.zookeeper.session-timeout", "6s");
        map.put("server.port", "0");
        map.put("spring.main.banner-mode", "off");
        map.put("logging.level.root", "WARN");
        map.put("logging.level.io.zootask", "INFO");
        for (String kv : append(append(extra, first), common.toArray(String[]::new))) {
            int eq = kv.indexOf('=');
            map.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return map;
    }

    private static String[] append(String[] values, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(List.of(values));
        return all.toArray(String[]::new);
    }

    @Override
    public void close() throws Exception {
        List<ConfigurableApplicationContext> reversed = new ArrayList<>(apps);
        Collections.reverse(reversed);
        for (ConfigurableApplicationContext app : reversed) {
            if (app.isActive()) {
                app.close();
            }
        }
        for (ZooKeeper zk : plainClients) {
            zk.close();
        }
        if (server != null) {
            server.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
    }

    static Duration seconds(long n) {
        return Duration.ofSeconds(n);
    }
}
