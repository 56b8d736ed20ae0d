package io.zootask.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zootask.localcluster.ExecJar;
import io.zootask.localcluster.ReadinessProbe;
import io.zootask.localcluster.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The chaos suite: real OS processes from the built jars (a real ZooKeeper, 1 gateway, 2 masters, 3 workers),
 * hundreds of tasks submitted over HTTP while the active master and random workers are killed with SIGKILL and
 * SIGTERM and restarted; then an invariant checker proves, from the gateway's answers and the workers' execution
 * journals, that no accepted task was lost, none ran twice at the same time, and nothing was left behind.
 *
 * <p>Default run (part of {@code ./mvnw verify}): 500 tasks, 8 kills. Soak (see the README):
 * {@code -Dchaos.tasks=10000 -Dchaos.kills=50 -Dchaos.zookeeperServers=3} also kills ZooKeeper servers.
 */
@Timeout(1800)
class ChaosIT {

    private static final int TASKS = Integer.getInteger("chaos.tasks", 500);
    private static final int KILLS = Integer.getInteger("chaos.kills", 8);
    private static final int ZK_SERVERS = Integer.getInteger("chaos.zookeeperServers", 1);
    private static final long SEED = Long.getLong("chaos.seed", System.nanoTime());
    private static final Duration KILL_INTERVAL = Duration.ofMillis(Long.getLong("chaos.intervalMillis", 3500));
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final int GATEWAY_PORT = 28080;

    private final Path root = Path.of("").toAbsolutePath().getParent();
    private final Path work = Path.of("target", "chaos").toAbsolutePath();
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, List<Long>> deaths = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Random random = new Random(SEED);

    /** One service process; restarted under the same name, so its journal and kill history follow the name. */
    private final class Service {
        final String name;
        final List<String> command;
        volatile ServiceProcess process;

        Service(String name, List<String> command) {
            this.name = name;
            this.command = command;
        }

        /** Starts it, or starts it again after a signal: its output appended to the same log. */
        void start() throws IOException {
            ServiceProcess previous = process;
            process = previous == null
                    ? ServiceProcess.start(name, command, new ServiceProcess.LogFile(work.resolve(name + ".log")))
                    : previous.restart();
        }

        void signal(boolean kill) throws InterruptedException {
            ServiceProcess p = process;
            deaths.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
            if (kill) {
                p.kill();
                p.awaitExit(Duration.ofSeconds(60));
            } else {
                p.stop(Duration.ofSeconds(60));
            }
            // the moment it is really gone: executions it left without an "end" ended no later than this
            deaths.get(name).set(deaths.get(name).size() - 1, System.currentTimeMillis());
        }
    }

    @AfterEach
    void stopEverything() {
        for (Service service : services.values()) {
            ServiceProcess p = service.process;
            if (p != null && p.isAlive()) {
                p.killTree();
            }
        }
    }

    @Test
    void noAcceptedTaskIsLostOrRunTwiceAtOnceWhileProcessesAreKilled() throws Exception {
        Files.createDirectories(work);
        try (Stream<Path> old = Files.list(work)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        String connect = startZooKeeper();
        service("gateway", "client-gateway", connect, GATEWAY_PORT);
        for (int i = 1; i <= 2; i++) {
            // the empty parents of killed workers go once the grace is over: as short as allowed, the session
            service("m" + i, "master-service", connect, 28100 + i, "--zootask.master.name=m" + i,
                    "--zootask.master.assign-parent-grace=" + SESSION.toSeconds() + "s");
        }
        for (int i = 1; i <= 3; i++) {
            service("w" + i, "worker-service", connect, 28200 + i, "--zootask.worker.name=w" + i,
                    "--zootask.worker.slots=2", "--zootask.worker.journal=" + work.resolve("journal-w" + i + ".jsonl"));
        }
        for (Service service : services.values()) {
            if (!service.name.startsWith("zk")) {
                service.start();
            }
        }
        ZooKeeper zk = plainClient(connect);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode cluster = getJson("/cluster");
            return cluster != null && cluster.get("workers").size() == 3 && cluster.get("masters").size() == 2;
        });

        long started = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        List<String> accepted = new CopyOnWriteArrayList<>();
        List<Future<?>> submitters = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            submitters.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < TASKS; i = next.getAndIncrement()) {
                    accepted.add(submit(i));
                }
                return null;
            }));
        }

        List<Long> masterKillFailovers = new ArrayList<>();
        List<Long> masterTermFailovers = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            pace(KILL_INTERVAL); // the chaos's rhythm: one kill every interval, whatever the cluster is doing
            chaosStep(k, zk, masterKillFailovers, masterTermFailovers);
        }
        for (Future<?> submitter : submitters) {
            submitter.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();

        // Settle: every accepted task reaches a terminal state.
        Map<String, JsonNode> finals = new ConcurrentHashMap<>();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (String id : accepted) {
                if (!finals.containsKey(id)) {
                    JsonNode task = getJson("/tasks/" + id);
                    if (task != null && task.has("state") && isTerminal(task.get("state").asString())) {
                        finals.put(id, task);
                    }
                }
            }
            return finals.size() == accepted.size();
        });
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();

        // Nothing is left in /tasks, or in /assign for workers that are gone.
        await().atMost(Duration.ofSeconds(30)).until(() -> zk.getChildren("/tasks", false).isEmpty()
                && leftoverAssignments(zk).isEmpty());

        Map<String, List<long[]>> executions = readJournals();
        int overlapping = 0;
        for (Map.Entry<String, List<long[]>> entry : executions.entrySet()) {
            List<long[]> runs = entry.getValue();
            runs.sort(Comparator.comparingLong(r -> r[0]));
            for (int i = 1; i < runs.size(); i++) {
                if (runs.get(i)[0] < runs.get(i - 1)[1]) {
                    overlapping++;
                    events.add("OVERLAP " + entry.getKey() + ": " + runs);
                    break;
                }
            }
        }
        long requeued = finals.values().stream().filter(t -> t.has("attempt") && t.get("attempt").asInt() > 1)
                .count();
        long failed = finals.values().stream().filter(t -> !"done".equals(t.get("state").asString())).count();
        int lost = accepted.size() - finals.size();
        long distinct = accepted.stream().distinct().count();
        String report = String.join("\n",
                "chaos seed=" + SEED + " zookeeperServers=" + ZK_SERVERS,
                "tasks accepted:        " + accepted.size() + " (" + distinct + " distinct) in " + seconds + " s",
                "kills:                 " + KILLS + " " + events.stream().filter(e -> e.startsWith("kill")
                        || e.startsWith("term")).toList(),
                "re-queued tasks:       " + requeued,
                "executions journaled:  " + executions.values().stream().mapToInt(List::size).sum(),
                "not done (failed etc): " + failed,
                "duplicates:            " + overlapping,
                "lost:                  " + lost,
                "longest failover:      master kill -9 " + max(masterKillFailovers) + " ms, master SIGTERM "
                        + max(masterTermFailovers) + " ms (session timeout " + SESSION.toMillis() + " ms)");
        System.out.println(report);
        Files.writeString(work.resolve("report.txt"), report + "\n" + String.join("\n", events) + "\n");

        assertThat(distinct).isEqualTo(TASKS);
        assertThat(lost).as(report).isZero();
        assertThat(overlapping).as(report).isZero();
        for (long failover : masterKillFailovers) {
            assertThat(failover).as(report).isLessThanOrEqualTo(SESSION.toMillis() + 2000);
        }
        for (long failover : masterTermFailovers) {
            assertThat(failover).as(report).isLessThan(2000);
        }
    }

    private void chaosStep(int step, ZooKeeper zk, List<Long> killFailovers, List<Long> termFailovers)
            throws Exception {
        int choice = ZK_SERVERS >= 3 && step % 5 == 4 ? 4 : random.nextInt(4);
        switch (choice) {
            case 0, 1 -> {
                boolean kill = choice == 0;
                String leader = activeMaster(zk);
                Service master = services.get(leader);
                if (master == null) {
                    return;
                }
                // A handover needs a standby: a master restarted by an earlier step may still be starting, and
                // then the time measured would be its JVM's start-up, not the failover.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> services.keySet().stream().filter(n -> n.startsWith("m") && !n.equals(leader))
                                .anyMatch(this::ready));
                long begin = System.nanoTime();
                master.signal(kill);
                events.add((kill ? "kill -9 " : "term ") + leader);
                await().atMost(SESSION.plusSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            String now = activeMaster(zk);
                            return now != null && !now.equals(leader);
                        });
                long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
                (kill ? killFailovers : termFailovers).add(millis);
                master.start();
            }
            case 2, 3 -> {
                boolean kill = choice == 2;
                Service worker = services.get("w" + (1 + random.nextInt(3)));
                worker.signal(kill);
                events.add((kill ? "kill -9 " : "term ") + worker.name);
                worker.start();
            }
            default -> {
                Service server = services.get("zk" + (1 + random.nextInt(ZK_SERVERS)));
                server.signal(true);
                events.add("kill -9 " + server.name);
                pace(Duration.ofSeconds(3)); // the server stays down that long: an outage, not a restart
                server.start();
            }
        }
    }

    /**
     * A deliberate pause of the scenario itself (its rhythm, an outage's length), never a stand-in for "the cluster
     * has settled": that is always a condition waited for.
     */
    private static void pace(Duration pause) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(pause.toNanos());
    }

    /** A master's readiness probe answers 200: started, connected to ZooKeeper, in the election. */
    private boolean ready(String master) {
        return ReadinessProbe.isReady(28100 + Integer.parseInt(master.substring(1)));
    }

    private String startZooKeeper() throws Exception {
        Path launcher = ExecJar.of(root, "local-cluster");
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= ZK_SERVERS; i++) {
            members.add("127.0.0.1:" + (22887 + i) + ":" + (23887 + i) + ":" + (22180 + i));
        }
        List<String> clients = new ArrayList<>();
        for (int i = 1; i <= ZK_SERVERS; i++) {
            List<String> args = new ArrayList<>(List.of("--zookeeper-only"));
            if (ZK_SERVERS == 1) {
                args.addAll(List.of("--zookeeper-port", String.valueOf(22180 + i)));
            } else {
                args.addAll(List.of("--server-id", String.valueOf(i), "--ensemble", String.join(",", members)));
            }
            Service server = new Service("zk" + i,
                    ExecJar.command(launcher, List.of("-Xmx256m", "-XX:+UseSerialGC"), args));
            services.put(server.name, server);
            server.start();
            clients.add("127.0.0.1:" + (22180 + i));
        }
        return String.join(",", clients);
    }

    private void service(String name, String module, String connect, int port, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--zootask.zookeeper.connect-string=" + connect,
                "--zootask.zookeeper.session-timeout=" + SESSION.toSeconds() + "s",
                "--server.port=" + port, "--spring.main.banner-mode=off"));
        args.addAll(List.of(extra));
        services.put(name, new Service(name, ExecJar.command(ExecJar.of(root, module),
                List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), args)));
    }

    private String submit(int index) {
        String key = "chaos-" + SEED + "-" + index;
        String body = "{\"command\":[\"sleep\",\"0." + (1 + index % 4) + "\"]}";
        while (true) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + GATEWAY_PORT + "/tasks"))
                        .header("Content-Type", "application/json").header("Idempotency-Key", key)
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202) {
                    return Gateway.JSON.readTree(response.body()).get("id").asString();
                }
            } catch (IOException | InterruptedException retry) {
                // the gateway is busy or a connection dropped: the key makes the retry safe
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // client back-off before retrying
        }
    }

    private JsonNode getJson(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + GATEWAY_PORT + path)).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Gateway.JSON.readTree(response.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The active master, or null while none leads or ZooKeeper is being killed under us. */
    private static String activeMaster(ZooKeeper zk) {
        try {
            return ZootaskCluster.activeMaster(zk);
        } catch (Exception none) {
            return null;
        }
    }

    private static List<String> leftoverAssignments(ZooKeeper zk) throws Exception {
        List<String> live = zk.getChildren("/workers", false);
        List<String> leftovers = new ArrayList<>();
        for (String worker : zk.getChildren("/assign", false)) {
            List<String> children;
            try {
                children = zk.getChildren("/assign/" + worker, false);
            } catch (KeeperException.NoNodeException removedMeanwhile) {
                continue; // the master cleared a dead worker's parent between the two reads: not a leftover
            }
            if (!children.isEmpty() || !live.contains(worker)) {
                leftovers.add(worker + children);
            }
        }
        return leftovers;
    }

    /** task -> executions as [start, end] in epoch millis; an execution without an end ended when its JVM died. */
    private Map<String, List<long[]>> readJournals() throws IOException {
        Map<String, List<long[]>> executions = new HashMap<>();
        Map<String, Long> open = new HashMap<>();
        List<Path> journals;
        try (Stream<Path> files = Files.list(work)) {
            journals = files.filter(p -> p.getFileName().toString().startsWith("journal-")).toList();
        }
        List<JsonNode> lines = new ArrayList<>();
        for (Path journal : journals) {
            for (String line : Files.readAllLines(journal)) {
                if (!line.isBlank()) {
                    lines.add(Gateway.JSON.readTree(line));
                }
            }
        }
        lines.sort(Comparator.comparingLong(l -> l.get("at").asLong()));
        for (JsonNode line : lines) {
            String key = line.get("task").asString() + "/" + line.get("attempt").asInt() + "/"
                    + line.get("worker").asString();
            if ("start".equals(line.get("event").asString())) {
                open.put(key, line.get("at").asLong());
            } else {
                Long start = open.remove(key);
                if (start != null) {
                    executions.computeIfAbsent(line.get("task").asString(), t -> new ArrayList<>())
                            .add(new long[] {start, line.get("at").asLong()});
                }
            }
        }
        for (Map.Entry<String, Long> unfinished : open.entrySet()) {
            String[] parts = unfinished.getKey().split("/");
            String workerId = parts[2];
            String name = workerId.substring(0, workerId.lastIndexOf('-'));
            long start = unfinished.getValue();
            long end = deaths.getOrDefault(name, List.of()).stream().filter(t -> t >= start).findFirst()
                    .orElse(Long.MAX_VALUE); // never ended and never killed: overlaps anything after it
            executions.computeIfAbsent(parts[0], t -> new ArrayList<>()).add(new long[] {start, end});
        }
        return executions;
    }

    private static ZooKeeper plainClient(String connect) throws Exception {
        ZooKeeper zk = new ZooKeeper(connect, 30_000, event -> { });
        await().atMost(Duration.ofSeconds(60)).until(() -> zk.getState().isConnected());
        return zk;
    }

    private static boolean isTerminal(String state) {
        return state.equals("done") || state.equals("failed") || state.equals("timed_out");
    }

    private static String max(List<Long> values) {
        return values.isEmpty() ? "n/a" : String.valueOf(values.stream().mapToLong(Long::longValue).max().orElse(0));
    }
}
