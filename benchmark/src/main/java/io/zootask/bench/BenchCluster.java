package io.zootask.bench;

import io.zootask.localcluster.ExecJar;
import io.zootask.localcluster.ReadinessProbe;
import io.zootask.localcluster.ServiceProcess;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The zootask the run measures: a real ZooKeeper server or ensemble ({@link ZooKeeperServers}), masters, workers
 * and the gateway, each its own JVM from the built jars with its output in {@code bench/results/<name>.log}; and the
 * benchmark's own ZooKeeper session to watch them through.
 */
final class BenchCluster implements AutoCloseable {

    /**
     * The gateway's port: the first of 28080..28099 that nobody holds, held by this run from its start until its
     * gateway starts. Another bin/bench on this machine, or the chaos suite, would otherwise take the port while this
     * run's gateway is not up yet: ours would fail to bind, the readiness probe would find theirs, and the HTTP
     * phases would measure (and load) the other's.
     */
    private static final ServerSocket GATEWAY_PORT_HOLD = holdFreePort(28080, 28099);
    static final int GATEWAY_PORT = GATEWAY_PORT_HOLD.getLocalPort();
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);
    private static final Duration KILLED_EXIT = Duration.ofSeconds(30);

    private final BenchOptions options;
    private final ZooKeeperServers zooKeeperServers;
    private final String connect;
    /** Every process started, restarts included: what the CPU accounting reads and what close() stops. */
    private final List<ServiceProcess> started = new ArrayList<>();
    /** The current process of each master and worker, by its zootask name (m1, w1, ...). */
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private ZooKeeper zk;

    BenchCluster(BenchOptions options) {
        this.options = options;
        this.zooKeeperServers = new ZooKeeperServers(options.zookeeperServers(), options.zooKeeperPort());
        this.connect = zooKeeperServers.connect();
    }

    void startZooKeeper() throws Exception {
        Files.createDirectories(options.results());
        for (int port : zooKeeperServers.clientPorts()) {
            // another bin/bench on this machine: the run would measure its ZooKeeper, not ours
            if (answers(port)) {
                throw new IllegalStateException("port " + port + " is taken (another bin/bench running?)");
            }
        }
        for (int i = 1; i <= zooKeeperServers.count(); i++) {
            // its slow log syncs logged, so that a latency run can say which of its stalls they were
            start(zooKeeperServers.name(i), "local-cluster", List.of("-Xmx1g", ZooKeeperFsyncs.JVM_OPTION),
                    zooKeeperServers.args(i), false);
        }
        Await.until(zooKeeperServers::allServing, Duration.ofSeconds(120));
        zk = BenchZooKeeper.connect(connect);
    }

    String connect() {
        return connect;
    }

    /** Each ZooKeeper server's log (its stdout and stderr). */
    List<Path> zooKeeperLogs() {
        List<Path> logs = new ArrayList<>();
        for (int i = 1; i <= zooKeeperServers.count(); i++) {
            logs.add(options.results().resolve(zooKeeperServers.name(i) + ".log"));
        }
        return logs;
    }

    ZooKeeper zk() {
        return zk;
    }

    /** Master {@code i}: process master-i, zootask name m{i}. */
    void startMaster(int i) throws Exception {
        services.put("m" + i, startService("master-" + i, "master-service", "256m",
                List.of("--zootask.master.name=m" + i)));
    }

    /**
     * Worker {@code i}: process worker-i, zootask name w{i}, with the run's slots. Worker 1 carries the label
     * {@code pool=bench}, which the coordination phase's mixed tasks may require.
     */
    void startWorker(int i) throws Exception {
        List<String> args = new ArrayList<>(List.of("--zootask.worker.name=w" + i,
                "--zootask.worker.slots=" + options.workerSlots()));
        if (i == 1) {
            args.add("--zootask.worker.labels.pool=bench");
        }
        services.put("w" + i, startService("worker-" + i, "worker-service", "256m", args));
    }

    /**
     * What the coordination phase starts (masters 1 and 2, workers 1 and 2), if it has not: for a run of a subset
     * of phases. Returns once both workers are registered and a master leads.
     */
    void startMastersAndWorkers() throws Exception {
        if (!services.containsKey("w1")) {
            startMaster(1);
            startMaster(2);
            startWorker(1);
            startWorker(2);
        }
        Await.until(() -> children(ZNodes.WORKERS) == 2 && zk.exists(ZNodes.MASTER, false) != null,
                Duration.ofSeconds(120));
    }

    void startGateway() throws Exception {
        GATEWAY_PORT_HOLD.close();
        startService("gateway", "client-gateway", "512m", List.of("--zootask.gateway.max-queued=50000"));
        if (!ReadinessProbe.awaitReady(GATEWAY_PORT, Duration.ofSeconds(120))) {
            throw new IllegalStateException("the gateway did not become ready within 120 s");
        }
    }

    /** The current process of the master or worker zootask knows as {@code name} (m1, w2, ...). */
    ServiceProcess service(String name) {
        return services.get(name);
    }

    /** Starts {@code name}'s process again, after a kill or a stop. */
    void restart(String name) throws IOException {
        ServiceProcess again = services.get(name).restart();
        started.add(again);
        services.put(name, again);
    }

    /** kill -9, and wait until it is gone. */
    static void crash(ServiceProcess process) throws InterruptedException {
        process.kill();
        process.awaitExit(KILLED_EXIT);
    }

    /** SIGTERM, and wait until it has shut down (kill -9 if it takes over a minute). */
    static void stop(ServiceProcess process) throws InterruptedException {
        process.stop(STOP_GRACE);
    }

    List<ServiceProcess> processes() {
        return List.copyOf(started);
    }

    // ---- what ZooKeeper says ----------------------------------------------------------------------------------------

    int children(String path) throws Exception {
        Stat stat = zk.exists(path, false);
        return stat == null ? 0 : stat.getNumChildren();
    }

    /**
     * A task moves from /tasks to /assign/<worker> in one transaction and leaves /assign in the one that writes its
     * status: both empty means all finished. (Counting /status would not do: retention prunes it.)
     */
    boolean drained() throws Exception {
        if (children(ZNodes.TASKS) > 0) {
            return false;
        }
        for (String worker : zk.getChildren(ZNodes.ASSIGN, false)) {
            if (children(ZNodes.assignments(worker)) > 0) {
                return false;
            }
        }
        return true;
    }

    /** The zootask name (m1, m2) of the active master. */
    String activeMaster() throws Exception {
        return ProtocolCodec.decodeMaster(zk.getData(ZNodes.MASTER, false, null)).id();
    }

    /** Every ZooKeeper transaction advances the zxid by one: this one's, from a probe node of its own. */
    long probeZxid() throws Exception {
        String path = zk.create("/bench-probe-", new byte[0], BenchZooKeeper.ACL, CreateMode.EPHEMERAL_SEQUENTIAL);
        return zk.exists(path, false).getCzxid();
    }

    private static ServerSocket holdFreePort(int first, int last) {
        for (int port = first; port <= last; port++) {
            ServerSocket hold = null;
            try {
                hold = new ServerSocket();
                hold.setReuseAddress(false);
                hold.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return hold;
            } catch (IOException taken) {
                try {
                    if (hold != null) {
                        hold.close();
                    }
                } catch (IOException ignored) {
                    // never bound
                }
            }
        }
        throw new IllegalStateException("ports " + first + ".." + last + " are all taken: too many bin/bench runs");
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException free) {
            return false;
        }
    }

    // ---- processes --------------------------------------------------------------------------------------------------

    /**
     * A service with a heap of {@code heap}, committed from the start (-Xms as -Xmx, as servers are run): left to
     * grow, the gateway's heap stayed at half its maximum while its old generation filled with the connections and
     * submissions of earlier phases, which left G1 an eden of 11 MB: a young collection every 100 ms under load
     * (1 226 in the e2e phase; 168 with the heap committed) and a 17 ms remark within the half-load window.
     */
    private ServiceProcess startService(String name, String module, String heap, List<String> args)
            throws Exception {
        List<String> serviceArgs = new ArrayList<>(List.of("--zootask.zookeeper.connect-string=" + connect,
                "--server.port=" + (module.equals("client-gateway") ? GATEWAY_PORT : 0),
                "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
        serviceArgs.addAll(args);
        // tied: a benchmark killed with -9 (a timeout) takes its services with it, not left to load the next run
        return start(name, module, List.of("-Xms" + heap, "-Xmx" + heap), serviceArgs, true);
    }

    /**
     * {@code module}'s jar as process {@code name}, with {@code ownJvmOptions} (its heap, and what else is its own)
     * before those every process of the bench gets; {@code tied}: it ends when the benchmark's JVM ends.
     */
    private ServiceProcess start(String name, String module, List<String> ownJvmOptions, List<String> args,
                                 boolean tied) throws Exception {
        List<String> jvmOptions = new ArrayList<>(ownJvmOptions);
        // G1, as the services get in production (the JVM's default on a machine with 2 cores and 2 GB), with a short
        // pause goal: the serial collector's full collections (ZooKeeper's data tree and the gateway's old generation
        // filling up) stopped ZooKeeper for 86-204 ms and the gateway for up to 170 ms, which was the whole p99 tail
        jvmOptions.addAll(List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"));
        // BENCH_JVM_OPTIONS, e.g. "-XX:StartFlightRecording=filename=/tmp/{name}.jfr", to profile each service
        String extra = System.getenv("BENCH_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            jvmOptions.addAll(List.of(extra.replace("{name}", name).trim().split("\\s+")));
        }
        Path log = options.results().resolve(name + ".log");
        List<String> command = ExecJar.command(ExecJar.of(options.root(), module), jvmOptions, args);
        ServiceProcess.LogFile output = new ServiceProcess.LogFile(log);
        ServiceProcess process = tied ? ServiceProcess.startTiedToThisJvm(name, command, Map.of(), output)
                : ServiceProcess.start(name, command, output);
        started.add(process);
        return process;
    }

    /** SIGTERM to whatever still runs, one at a time, each given a minute to shut down. */
    @Override
    public void close() {
        for (ServiceProcess process : started) {
            try {
                if (process.isAlive()) {
                    stop(process);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
