package io.zootask.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import io.zootask.protocol.ZooKeeperAuth;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * {@code bin/bench}: one run, against one real ZooKeeper server started for it, measuring ZooKeeper's ceiling and
 * zootask beside it (coordination throughput, HTTP end to end, writes per task, long-poll capacity, failover). Prints
 * a table, writes {@code bench/results/latest.json} and a chart.
 */
public final class Bench {

    private static final int ZK_PORT = 22181; // below the ephemeral range (32768+), where a client socket could hold it
    /**
     * ZooKeeper's secured mode when ZOOTASK_ZOOKEEPER_AUTH_USERNAME/_PASSWORD are set: the services inherit them, and
     * the benchmark's own clients authenticate and create with the same ACL. Otherwise open mode.
     */
    static final ZooKeeperAuth AUTH = ZooKeeperAuth.fromEnvironment(System.getenv());
    static final List<ACL> ACL = AUTH == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE : AUTH.acl();
    private static final int GATEWAY_PORT = 28080;
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":\\s*\"?([^,\"}]+)");

    private final Path root;
    private final Path results;
    private final boolean quick;
    private final int workerSlots;
    private final String connect = "127.0.0.1:" + ZK_PORT;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(16)).build();
    private ZooKeeper zk;

    private Bench(Path root, boolean quick, int workerSlots) {
        this.workerSlots = workerSlots;
        this.root = root;
        this.results = root.resolve("bench").resolve("results");
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        boolean quick = false;
        // Slots bound how many tasks a worker holds at once, so tasks in flight = 2 workers x slots, and throughput is
        // at most that over one task's round trip (a few ZooKeeper disk syncs). A zootask:noop slot costs nothing;
        // with the default (one per core) the run would measure that latency x 4, not what the design can carry.
        int workerSlots = 128;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--root")) {
                root = Path.of(args[++i]).toAbsolutePath();
            } else if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("--worker-slots")) {
                workerSlots = Integer.parseInt(args[++i]);
            }
        }
        System.setProperty("java.awt.headless", "true");
        Bench bench = new Bench(root, quick, workerSlots);
        try {
            bench.run();
        } finally {
            bench.stopAll();
        }
        System.exit(0);
    }

    private int n(int full) {
        return quick ? Math.max(100, full / 10) : full;
    }

    private void run() throws Exception {
        Files.createDirectories(results);
        ServiceProcess zookeeper = start("zookeeper", "local-cluster", List.of("--zookeeper-only",
                "--zookeeper-port", String.valueOf(ZK_PORT)), "-Xmx1g");
        zk = connect(connect);
        int sessionTimeoutSeconds = 10;
        figures.put("session_timeout_s", (double) sessionTimeoutSeconds);

        log("1/6 ZooKeeper's ceiling");
        // each under a parent of its own, left in place: listing 100 000 children would itself break getChildren
        figures.put("ceiling_creates_per_s", Ceiling.creates(connect, "/bench-creates", n(30000), 1));
        figures.put("ceiling_multi_per_s", Ceiling.multis(connect, "/bench-multi", n(30000)));
        figures.put("ceiling_creates_per_s_8_sessions", Ceiling.creates(connect, "/bench-creates-8", n(40000), 8));
        try {
            phases(zookeeper);
        } finally {
            report();
        }
    }

    private void phases(ServiceProcess zookeeper) throws Exception {

        log("2/6 coordination throughput: 1 master, 2 workers, tasks created as znodes");
        ServiceProcess m1 = start("master-1", "master-service", List.of("--zootask.master.name=m1"), "-Xmx256m");
        ServiceProcess m2 = start("master-2", "master-service", List.of("--zootask.master.name=m2"), "-Xmx256m");
        List<ServiceProcess> workers = new ArrayList<>(List.of(worker(1), worker(2)));
        awaitTrue(() -> children("/workers") == 2 && zk.exists("/master", false) != null, Duration.ofSeconds(120));
        // JIT warm-up: the master's and the workers' hot paths reach their compiled speed after some 40 000 tasks
        // (the rate climbs from ~1 900/s to ~6 000/s here); measured before that, the figure is the compiler's
        for (int round = 0; round < (quick ? 1 : 5); round++) {
            log(String.format("    warm-up round: %.0f tasks/s", coordination(n(10000), null)));
        }
        coordination(n(20000), "coordination_tasks_per_s");

        log("3/6 end to end over HTTP: 64 clients POST then long-poll");
        start("gateway", "client-gateway", List.of("--zootask.gateway.max-queued=50000"), "-Xmx512m");
        awaitTrue(() -> httpStatus("/actuator/health/readiness") == 200, Duration.ofSeconds(120));
        httpCeiling(n(20000), 64);
        // JIT warm-up: the gateway's deep request path (Jetty, Spring Security, Spring MVC) runs at a fraction of its
        // speed until C2 has compiled it. The compiler needs calls, not seconds: 120 000 tasks, which took 60 to 100 s
        // here (capped at 110 s). The rate climbs in uneven steps (compilations take CPU from the load they speed up),
        // so no plateau rule ends it reliably.
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(quick ? 10 : 110);
        for (int warmed = 0; warmed < n(120_000) && System.nanoTime() < warmUntil; warmed += n(5000)) {
            log(String.format("    warm-up round: %.0f tasks/s", endToEnd(n(5000), 64, false)));
        }
        endToEnd(n(20000), 64, true);
        halfLoad(Duration.ofSeconds(quick ? 4 : 10));

        log("4/6 writes per task");
        writesPerTask(n(1000));

        log("5/6 long-poll capacity");
        longPolls(quick ? 1000 : 10000, workers);

        log("6/6 failover");
        failover(m1, m2, workers);
    }

    // ---- phases -----------------------------------------------------------------------------------------------------

    /** @return tasks per second, from the first create until every task has left /tasks and /assign (finished) */
    private double coordination(int tasks, String figure) throws Exception {
        Map<String, Double> cpuBefore = cpuSeconds();
        long start = System.nanoTime();
        CountDownLatch created = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            zk.create("/tasks/task-", NOOP_TASK, ACL, CreateMode.PERSISTENT_SEQUENTIAL,
                    (rc, path, ctx, name) -> created.countDown(), null);
        }
        created.await(2, TimeUnit.MINUTES);
        // a task moves from /tasks to /assign/<worker> in one transaction and leaves /assign in the one that writes
        // its status: both empty means all finished. (Counting /status would not do: retention prunes it.)
        awaitTrue(this::drained, Duration.ofMinutes(5));
        double perSecond = tasks / ((System.nanoTime() - start) / 1e9);
        if (figure != null) {
            figures.put(figure, perSecond);
            putCpuPerTask("coordination", cpuBefore, tasks);
        }
        return perSecond;
    }

    private boolean drained() throws Exception {
        if (children("/tasks") > 0) {
            return false;
        }
        for (String worker : zk.getChildren("/assign", false)) {
            if (children("/assign/" + worker) > 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The HTTP stack's own ceiling on this box: the cheapest request the gateway answers (liveness: no ZooKeeper, no
     * JSON body), from the same load generator and the same 64 clients. A task costs at least two requests (POST, GET).
     */
    private void httpCeiling(int requests, int clients) throws Exception {
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            inParallel(clients, connection -> {
                while (next.getAndIncrement() < requests) {
                    connection.get("/actuator/health/liveness");
                }
            });
            figures.put("http_ceiling_requests_per_s", requests / ((System.nanoTime() - start) / 1e9));
        }
    }

    private interface ClientLoop {
        void run(KeepAliveConnection connection) throws Exception;
    }

    /** {@code clients} threads, each with a keep-alive connection of its own, until every loop has ended. */
    private void inParallel(int clients, ClientLoop loop) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                loops.add(CompletableFuture.runAsync(() -> {
                    try (KeepAliveConnection connection = new KeepAliveConnection(GATEWAY_PORT)) {
                        loop.run(connection);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdown();
        }
    }

    /** @return tasks per second */
    private double endToEnd(int tasks, int clients, boolean measured) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        Map<String, Double> cpuBefore = cpuSeconds();
        long start = System.nanoTime();
        inParallel(clients, connection -> {
            while (next.getAndIncrement() < tasks) {
                latencies.add(submitAndWait(connection));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        if (measured) {
            figures.put("e2e_tasks_per_s", tasks / seconds);
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            figures.put("e2e_p50_ms_full_load", percentile(sorted, 50));
            figures.put("e2e_p99_ms_full_load", percentile(sorted, 99));
            putCpuPerTask("e2e", cpuBefore, tasks);
        }
        return tasks / seconds;
    }

    /**
     * Open loop at half the measured peak: a new task every 1/rate s, each POSTed and long-polled on a connection of
     * its own (kept alive and reused once it is free, as a client pool would).
     */
    private void halfLoad(Duration duration) throws Exception {
        double rate = Math.max(1, figures.get("e2e_tasks_per_s") / 2);
        int tasks = (int) (rate * duration.toSeconds());
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<KeepAliveConnection> idle = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch done = new CountDownLatch(tasks);
        long periodNanos = (long) (1e9 / rate);
        AtomicInteger issued = new AtomicInteger();
        clock.scheduleAtFixedRate(() -> {
            if (issued.getAndIncrement() < tasks) {
                pool.execute(() -> {
                    try {
                        KeepAliveConnection connection = idle.poll();
                        if (connection == null) {
                            connection = new KeepAliveConnection(GATEWAY_PORT);
                        }
                        latencies.add(submitAndWait(connection));
                        idle.add(connection);
                    } catch (IOException e) {
                        log("half load: " + e); // not counted; the figures say how many were
                    } finally {
                        done.countDown();
                    }
                });
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        done.await(5, TimeUnit.MINUTES);
        clock.shutdownNow();
        pool.shutdown();
        for (KeepAliveConnection connection : idle) {
            connection.close();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        figures.put("e2e_half_load_rate_per_s", rate);
        figures.put("e2e_p50_ms_half_load", percentile(sorted, 50));
        figures.put("e2e_p99_ms_half_load", percentile(sorted, 99));
        figures.put("e2e_max_ms_half_load", sorted.isEmpty() ? 0 : (double) sorted.get(sorted.size() - 1) / 1000);
    }

    /** Every ZooKeeper transaction advances the zxid by one: its advance over N tasks is the write cost per task. */
    private void writesPerTask(int tasks) throws Exception {
        long before = probeZxid();
        AtomicInteger next = new AtomicInteger();
        inParallel(16, connection -> {
            while (next.getAndIncrement() < tasks) {
                submitAndWait(connection);
            }
        });
        long after = probeZxid();
        // minus the second probe itself
        figures.put("writes_per_task", (after - before - 1) / (double) tasks);
    }

    private void longPolls(int waiting, List<ServiceProcess> workers) throws Exception {
        for (ServiceProcess worker : workers) {
            worker.terminate();
        }
        awaitTrue(() -> children("/workers") == 0, Duration.ofSeconds(60));
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch created = new CountDownLatch(waiting);
        for (int i = 0; i < waiting; i++) {
            zk.create("/tasks/task-", NOOP_TASK, ACL, CreateMode.PERSISTENT_SEQUENTIAL,
                    (rc, path, ctx, name) -> {
                        ids.add(name.substring("/tasks/".length()));
                        created.countDown();
                    }, null);
        }
        created.await(2, TimeUnit.MINUTES);
        HttpClient many = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newFixedThreadPool(8)).build();
        AtomicInteger answeredDone = new AtomicInteger();
        AtomicInteger failedPolls = new AtomicInteger();
        List<CompletableFuture<Void>> polls = new ArrayList<>();
        for (String id : ids) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/tasks/" + id + "?waitSeconds=60"))
                    .timeout(Duration.ofSeconds(120)).GET().build();
            polls.add(many.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                if (response.statusCode() == 200 && response.body().contains("\"state\":\"done\"")) {
                    answeredDone.incrementAndGet();
                }
            }).exceptionally(failed -> {
                failedPolls.incrementAndGet(); // counted, not fatal: the figure shows how many were answered
                return null;
            }));
        }
        // Let them reach the gateway and park, then look at its threads and heap at the peak. The first ones answer
        // after 60 s whatever happens, so the peak is what counts if the machine is too slow to park all in time.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(55);
        double peak = -1;
        while (System.nanoTime() < deadline && peak < waiting) {
            try {
                double now = gatewayMetric("zootask_gateway_longpolls_waiting");
                if (now > peak) {
                    peak = now;
                    figures.put("longpoll_waiting", now);
                    figures.put("longpoll_threads", gatewayMetric("jvm_threads_live_threads"));
                    figures.put("longpoll_heap_mb", gatewayMetric("jvm_memory_used_bytes{area=\"heap\"")
                            / (1024 * 1024));
                }
            } catch (Exception notYet) {
                // the gateway is busy accepting; ask again
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        workers.clear();
        workers.add(worker(1));
        workers.add(worker(2));
        CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        figures.put("longpoll_answered_done", (double) answeredDone.get());
        figures.put("longpoll_failed", (double) failedPolls.get());
    }

    private void failover(ServiceProcess m1, ServiceProcess m2, List<ServiceProcess> workers) throws Exception {
        awaitTrue(() -> children("/workers") == 2, Duration.ofSeconds(60));
        // master kill -9 until the first new assignment
        ServiceProcess leader = activeMaster().equals("m1") ? m1 : m2;
        long begin = System.nanoTime();
        leader.kill();
        String id = submit(http, NOOP_JSON);
        awaitTrue(() -> !"queued".equals(state(id)), Duration.ofSeconds(60));
        figures.put("failover_master_kill_s", (System.nanoTime() - begin) / 1e9);
        ServiceProcess restarted = start(leader.name, "master-service",
                List.of("--zootask.master.name=" + (leader == m1 ? "m1" : "m2")), "-Xmx256m");
        awaitTrue(() -> children("/election") == 2, Duration.ofSeconds(60));

        // master SIGTERM until the first new assignment
        ServiceProcess active = activeMaster().equals(leader == m1 ? "m1" : "m2") ? restarted
                : (leader == m1 ? m2 : m1);
        begin = System.nanoTime();
        active.terminate();
        String id2 = submit(http, NOOP_JSON);
        awaitTrue(() -> !"queued".equals(state(id2)), Duration.ofSeconds(60));
        figures.put("failover_master_term_s", (System.nanoTime() - begin) / 1e9);

        // worker kill -9 until its task runs elsewhere
        String sleeper = submit(http, "{\"command\":[\"sleep\",\"60\"]}");
        awaitTrue(() -> "running".equals(state(sleeper)), Duration.ofSeconds(30));
        String runningOn = field(get("/tasks/" + sleeper), "worker");
        ServiceProcess victim = runningOn.startsWith("w1") ? workers.get(0) : workers.get(1);
        begin = System.nanoTime();
        victim.kill();
        awaitTrue(() -> "running".equals(state(sleeper)) && !runningOn.equals(field(get("/tasks/" + sleeper),
                "worker")), Duration.ofSeconds(60));
        figures.put("failover_worker_kill_s", (System.nanoTime() - begin) / 1e9);
    }

    // ---- CPU per task -----------------------------------------------------------------------------------------------

    private static final List<String> ROLES = List.of("zookeeper", "masters", "workers", "gateway", "load_generator");

    /**
     * CPU seconds each role's processes have used so far, from the kernel's own accounting (/proc/PID/stat, in
     * clock ticks of 1/100 s): over a phase, where the machine's two cores went.
     */
    private Map<String, Double> cpuSeconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        ROLES.forEach(role -> seconds.put(role, 0.0));
        for (ServiceProcess process : processes) {
            if (!process.isAlive()) {
                continue;
            }
            String role = process.name.startsWith("master") ? "masters" : process.name.startsWith("worker")
                    ? "workers" : process.name;
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                double used = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime + stime
                seconds.merge(role, used, Double::sum);
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile, or not Linux: no figure
            }
        }
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            seconds.put("load_generator", os.getProcessCpuTime() / 1e9);
        }
        return seconds;
    }

    private void putCpuPerTask(String phase, Map<String, Double> before, int tasks) {
        Map<String, Double> after = cpuSeconds();
        double total = 0;
        for (String role : ROLES) {
            double ms = (after.get(role) - before.get(role)) * 1000 / tasks;
            figures.put(phase + "_cpu_ms_per_task_" + role, ms);
            total += ms;
        }
        figures.put(phase + "_cpu_ms_per_task_total", total);
    }

    // ---- report -----------------------------------------------------------------------------------------------------

    private void report() throws IOException {
        double multiCeiling = figures.getOrDefault("ceiling_multi_per_s", Double.NaN);
        StringBuilder table = new StringBuilder();
        table.append(String.format("%-36s %14s  %s%n", "figure", "value", "ratio to ceiling"));
        for (Map.Entry<String, Double> figure : figures.entrySet()) {
            String ratio = "";
            if (figure.getKey().endsWith("tasks_per_s")) {
                ratio = String.format("%.0f%% of multi ceiling / 3 (%.0f)", 100 * figure.getValue()
                        / (multiCeiling / 3), multiCeiling / 3);
            }
            if (figure.getKey().endsWith("_cpu_ms_per_task_total")) {
                int cores = Runtime.getRuntime().availableProcessors();
                ratio = String.format("%d cores allow at most %.0f tasks/s at this cost", cores,
                        cores * 1000 / figure.getValue());
            }
            if (figure.getKey().equals("e2e_tasks_per_s") && figures.containsKey("http_ceiling_requests_per_s")) {
                double httpCeiling = figures.get("http_ceiling_requests_per_s") / 2;
                ratio += String.format("; %.0f%% of HTTP ceiling / 2 (%.0f)", 100 * figure.getValue() / httpCeiling,
                        httpCeiling);
            }
            table.append(String.format("%-36s %14.2f  %s%n", figure.getKey(), figure.getValue(), ratio));
        }
        System.out.println();
        System.out.print(table);
        StringBuilder json = new StringBuilder("{\n");
        List<String> keys = new ArrayList<>(figures.keySet());
        for (int i = 0; i < keys.size(); i++) {
            json.append(String.format("  \"%s\": %.3f%s%n", keys.get(i), figures.get(keys.get(i)),
                    i == keys.size() - 1 ? "" : ","));
        }
        json.append("}\n");
        Files.writeString(results.resolve("latest.json"), json.toString());
        Files.writeString(results.resolve("latest.txt"), table.toString());
        Chart.write(figures, results.resolve("latest.png"));
        log("wrote " + results.resolve("latest.json") + ", latest.txt and latest.png");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private ServiceProcess worker(int i) throws Exception {
        return start("worker-" + i, "worker-service", List.of("--zootask.worker.name=w" + i,
                "--zootask.worker.slots=" + workerSlots), "-Xmx256m"); // 0: the default, one per core
    }

    private ServiceProcess start(String name, String module, List<String> args, String heap) throws Exception {
        Path jar;
        try (Stream<Path> files = Files.list(root.resolve(module).resolve("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst().orElseThrow(
                    () -> new IllegalStateException("no executable jar for " + module + "; run bin/bench"));
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                heap, "-XX:+UseSerialGC"));
        // BENCH_JVM_OPTIONS, e.g. "-XX:StartFlightRecording=filename=/tmp/{name}.jfr", to profile each service
        String extra = System.getenv("BENCH_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.replace("{name}", name).trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        if (!module.equals("local-cluster")) {
            command.addAll(List.of("--zootask.zookeeper.connect-string=" + connect,
                    "--server.port=" + (module.equals("client-gateway") ? GATEWAY_PORT : 0),
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN"));
        }
        command.addAll(args);
        ServiceProcess process = new ServiceProcess(name, command, results.resolve(name + ".log")).start();
        processes.add(process);
        if (module.equals("local-cluster")) {
            awaitTrue(() -> {
                try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", ZK_PORT)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(60));
        }
        return process;
    }

    private void stopAll() {
        for (ServiceProcess process : processes) {
            try {
                if (process.isAlive()) {
                    process.terminate();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final String NOOP_JSON = "{\"command\":[\"zootask:noop\"]}";
    private static final byte[] NOOP_TASK = NOOP_JSON.getBytes(StandardCharsets.UTF_8);

    /** POST a no-op task, then long-poll it until it has finished: the microseconds in between. */
    private static long submitAndWait(KeepAliveConnection connection) throws IOException {
        long start = System.nanoTime();
        KeepAliveConnection.Answer posted = connection.postJson("/tasks", NOOP_TASK);
        String id = posted.status() == 202 ? field(posted.body(), "id") : null;
        if (id == null) {
            throw new IOException("POST /tasks answered " + posted.status() + ": " + posted.body());
        }
        while (true) {
            KeepAliveConnection.Answer answer = connection.get("/tasks/" + id + "?waitSeconds=30");
            if (answer.status() != 200) {
                throw new IOException("GET /tasks/" + id + " answered " + answer.status() + ": " + answer.body());
            }
            if (answer.body().contains("\"state\":\"done\"") || answer.body().contains("\"state\":\"failed\"")) {
                return (System.nanoTime() - start) / 1000; // microseconds
            }
        }
    }

    private String submit(HttpClient client, String json) {
        while (true) {
            String body = send(client, HttpRequest.newBuilder(URI.create(base() + "/tasks"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .build());
            String id = body == null ? null : field(body, "id");
            if (id != null) {
                return id;
            }
        }
    }

    private String send(HttpClient client, HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() < 300 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String get(String path) {
        return send(http, HttpRequest.newBuilder(URI.create(base() + path)).GET().build());
    }

    private int httpStatus(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String state(String id) {
        String body = get("/tasks/" + id);
        return body == null ? null : field(body, "state");
    }

    private static String field(String json, String name) {
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    /** Sum of a Prometheus metric's samples whose line starts with {@code prefix} (name, and labels if given). */
    private double gatewayMetric(String prefix) {
        String text = get("/actuator/prometheus");
        if (text == null) {
            return -1;
        }
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix) && (line.length() == prefix.length() || " {".indexOf(line.charAt(prefix.length())) >= 0
                    || prefix.endsWith("\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private String activeMaster() throws Exception {
        return field(new String(zk.getData("/master", false, null), StandardCharsets.UTF_8), "id");
    }

    private long probeZxid() throws Exception {
        String path = zk.create("/bench-probe-", new byte[0], ACL,
                CreateMode.EPHEMERAL_SEQUENTIAL);
        return zk.exists(path, false).getCzxid();
    }

    private int children(String path) throws Exception {
        Stat stat = zk.exists(path, false);
        return stat == null ? 0 : stat.getNumChildren();
    }

    private String base() {
        return "http://127.0.0.1:" + GATEWAY_PORT;
    }

    private static double percentile(List<Long> sortedMicros, int p) {
        if (sortedMicros.isEmpty()) {
            return 0;
        }
        int index = (int) Math.min(sortedMicros.size() - 1, Math.ceil(p / 100.0 * sortedMicros.size()) - 1);
        return sortedMicros.get(Math.max(0, index)) / 1000.0;
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls a condition until it holds or the deadline passes: a benchmark driver, not a test. */
    static void awaitTrue(Condition condition, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception notYet) {
                // keep polling
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        throw new IllegalStateException("condition not met within " + within);
    }

    static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, event -> {
            if (event.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
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

    private static final long STARTED = System.nanoTime();

    private static void log(String message) {
        System.out.printf("[bench %3d s] %s%n", (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }
}
