package io.zootask.localcluster;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/local-cluster}: a complete zootask on one machine, in the foreground. An embedded real ZooKeeper on
 * 127.0.0.1:2181 (unless {@code --zookeeper} names one), masters, workers and the gateway, each its own JVM. Ctrl-C or
 * SIGTERM stops every process it started.
 */
public final class LocalCluster {

    private static final PrintStream OUT = System.out;

    private final Options options;
    private final List<ServiceProcess> children = new ArrayList<>();
    private EmbeddedZooKeeper zookeeper;

    private LocalCluster(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        // Not logback.xml: this jar is also a library (the benchmark's launcher), whose users bring their own.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "local-cluster-logback.xml");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local-cluster: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            OUT.println(Options.USAGE);
            return;
        }
        if (options.zookeeperOnly()) {
            runZooKeeperOnly(options);
            return;
        }
        LocalCluster cluster = new LocalCluster(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.stop();
            stopped.countDown();
        }, "local-cluster-stop"));
        cluster.start();
        stopped.await();
    }

    private static void runZooKeeperOnly(Options options) throws Exception {
        if (options.ensemble() != null) {
            OUT.println("[zookeeper] quorum member " + options.serverId() + " of " + options.ensemble());
            EmbeddedZooKeeper.quorumMember(options.serverId(), options.ensemble()).join();
            return;
        }
        EmbeddedZooKeeper server = new EmbeddedZooKeeper(options.zookeeperPort());
        OUT.println("[zookeeper] serving on 127.0.0.1:" + options.zookeeperPort());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }));
        stopped.await();
    }

    private void start() throws Exception {
        String connect = options.zookeeper();
        if (connect == null) {
            zookeeper = new EmbeddedZooKeeper(options.zookeeperPort());
            connect = "127.0.0.1:" + options.zookeeperPort();
            OUT.println("[local-cluster] embedded ZooKeeper on " + connect);
        } else {
            OUT.println("[local-cluster] using ZooKeeper at " + connect);
        }
        for (int i = 1; i <= options.masters(); i++) {
            launch("master-" + i, "master-service", connect, options.basePort() + 100 + i,
                    "--zootask.master.name=master-" + i);
        }
        for (int i = 1; i <= options.workers(); i++) {
            launch("worker-" + i, "worker-service", connect, options.basePort() + 200 + i,
                    "--zootask.worker.name=worker-" + i);
        }
        launch("gateway", "client-gateway", connect, options.gatewayPort());
        awaitGateway();
    }

    private void launch(String name, String module, String connect, int port, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--zootask.zookeeper.connect-string=" + connect,
                "--server.port=" + port,
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        List<String> command = ExecJar.command(ExecJar.of(options.root(), module),
                List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args);
        // tied: a launcher killed with -9 takes its services with it, instead of leaving them to hold the ports
        children.add(ServiceProcess.startTiedToThisJvm(name, command, zookeeperAuthEnvironment(),
                new ServiceProcess.PrefixedLines(OUT)));
        OUT.println("[local-cluster] started " + name + " on 127.0.0.1:" + port);
    }

    /**
     * {@code --zookeeper-auth} as the environment variables Spring binds to {@code zootask.zookeeper.auth.*}: the
     * password stays off the services' command lines. Without the option the services inherit the launcher's
     * environment, so {@code ZOOTASK_ZOOKEEPER_AUTH_USERNAME}/{@code _PASSWORD} set by the user apply as they are.
     */
    private Map<String, String> zookeeperAuthEnvironment() {
        if (options.zookeeperAuth() == null) {
            return Map.of();
        }
        return Map.of("ZOOTASK_ZOOKEEPER_AUTH_USERNAME", options.zookeeperUser(),
                "ZOOTASK_ZOOKEEPER_AUTH_PASSWORD", options.zookeeperPassword());
    }

    private String zookeeperUser() {
        if (options.zookeeperUser() != null) {
            return options.zookeeperUser();
        }
        String fromEnvironment = System.getenv("ZOOTASK_ZOOKEEPER_AUTH_USERNAME");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment;
    }

    private void awaitGateway() throws Exception {
        if (ReadinessProbe.awaitReady(options.gatewayPort(), Duration.ofSeconds(180))) {
            printWelcome();
        } else {
            OUT.println("[local-cluster] the gateway did not become ready in 180 s; see its log above");
        }
    }

    private void printWelcome() {
        String base = "http://127.0.0.1:" + options.gatewayPort();
        OUT.println();
        // the dashboard first: it is where a newcomer should look, and the first URL is the one a terminal user clicks
        OUT.println("[local-cluster] zootask is up: " + options.masters() + " master(s), " + options.workers()
                + " worker(s)");
        OUT.println("[local-cluster]   dashboard:   " + base + "/");
        OUT.println("[local-cluster]   Swagger UI:  " + base + "/swagger-ui.html");
        OUT.println("[local-cluster]   submit:      curl -s -X POST " + base
                + "/tasks -H 'Content-Type: application/json' -d '{\"command\":[\"echo\",\"hello\"]}'");
        OUT.println("[local-cluster]   wait:        curl -s '" + base + "/tasks/task-0000000000?waitSeconds=30'");
        OUT.println("[local-cluster]   cluster:     curl -s " + base + "/cluster");
        String user = zookeeperUser();
        if (user != null) {
            OUT.println("[local-cluster]   ZooKeeper:   secured mode (digest user '" + user + "'); in zkCli first: "
                    + "addauth digest " + user + ":<password>");
        }
        OUT.println("[local-cluster] Ctrl-C stops everything.");
        OUT.println();
    }

    private synchronized void stop() {
        OUT.println("[local-cluster] stopping " + children.size() + " service(s)...");
        // Workers first drain while the masters still run; all get SIGTERM together, each shuts down gracefully.
        children.forEach(ServiceProcess::terminate);
        long deadline = System.currentTimeMillis() + 45_000;
        for (ServiceProcess child : children) {
            try {
                long left = Math.max(1, deadline - System.currentTimeMillis());
                if (!child.awaitExit(Duration.ofMillis(left))) {
                    OUT.println("[local-cluster] " + child.name() + " did not stop in time: killing it");
                    child.killTree();
                    child.awaitExit(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                child.killTree();
            }
        }
        if (zookeeper != null) {
            try {
                zookeeper.close();
            } catch (Exception e) {
                OUT.println("[local-cluster] stopping ZooKeeper: " + e);
            }
        }
        OUT.println("[local-cluster] stopped");
    }
}
