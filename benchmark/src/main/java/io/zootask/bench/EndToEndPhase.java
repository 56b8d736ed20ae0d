package io.zootask.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End to end over HTTP: the HTTP stack's own ceiling, then 64 clients that POST and long-poll as fast as they can
 * (throughput, latency, CPU per task), then latency at half that rate, then the same clients with one request per
 * task ({@code POST /tasks?waitSeconds=N}). Starts the gateway.
 */
final class EndToEndPhase implements Phase {

    private static final int CLIENTS = 64;

    private final BenchCluster cluster;
    private final CpuAccounting cpu;
    private final BenchOptions options;

    EndToEndPhase(BenchCluster cluster, CpuAccounting cpu, BenchOptions options) {
        this.cluster = cluster;
        this.cpu = cpu;
        this.options = options;
    }

    @Override
    public String title() {
        return "end to end over HTTP: " + CLIENTS + " clients POST then long-poll";
    }

    @Override
    public void run(Figures figures) throws Exception {
        cluster.startMastersAndWorkers(); // run alone (--phases e2e), nothing before it started them
        cluster.startGateway();
        httpCeiling(figures, options.n(20000));
        // JIT warm-up: the gateway's deep request path (Jetty, Spring Security, Spring MVC) runs at a fraction of its
        // speed until C2 has compiled it. The compiler needs calls, not seconds: 120 000 tasks, which took 60 to 100 s
        // here (capped at 110 s). The rate climbs in uneven steps (compilations take CPU from the load they speed up),
        // so no plateau rule ends it reliably.
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.quick() ? 10 : 110);
        for (int warmed = 0; warmed < options.n(120_000) && System.nanoTime() < warmUntil;
             warmed += options.n(5000)) {
            Log.line(String.format("    warm-up round: %.0f tasks/s", fullLoad(options.n(5000), null)));
        }
        fullLoad(options.n(20000), figures);
        halfLoad(figures, Duration.ofSeconds(options.quick() ? 4 : 10));
        oneRequest(figures, options.n(20000));
    }

    /**
     * The same clients, each task one request that waits for its end ({@code POST /tasks?waitSeconds=30}) instead of
     * a POST and a long-poll: what the HTTP stack's per-request cost leaves when a task needs only one.
     */
    private void oneRequest(Figures figures, int tasks) throws Exception {
        for (int round = 0; round < 2; round++) { // the first round warms the JIT for the new path
            int count = round == 0 ? options.n(10000) : tasks;
            Map<String, Double> cpuBefore = cpu.seconds();
            double perSecond = closedLoop(count, LoadGenerator::submitWaiting);
            if (round == 0) {
                Log.line(String.format("    warm-up round (one request per task): %.0f tasks/s", perSecond));
            } else {
                figures.put("e2e_one_request_tasks_per_s", perSecond);
                cpu.putPerTask(figures, "e2e_one_request", cpuBefore, count);
            }
        }
    }

    /**
     * The HTTP stack's own ceiling on this box: the cheapest request the gateway answers (liveness: no ZooKeeper, no
     * JSON body), from the same load generator and the same clients. A task costs at least two requests (POST, GET).
     */
    private void httpCeiling(Figures figures, int requests) throws Exception {
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            figures.put("http_ceiling_requests_per_s",
                    closedLoop(requests, connection -> connection.get("/actuator/health/liveness")));
        }
    }

    /** {@code count} runs of {@code request} shared by the clients, each client's next as soon as its last ended: runs
     * per second. */
    private static double closedLoop(int count, LoadGenerator.ClientLoop request) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        LoadGenerator.inParallel(CLIENTS, connection -> {
            while (next.getAndIncrement() < count) {
                request.run(connection);
            }
        });
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Tasks per second with every client busy; into {@code figures} with latency and CPU, unless a warm-up. */
    private double fullLoad(int tasks, Figures figures) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        Map<String, Double> cpuBefore = cpu.seconds();
        double perSecond = closedLoop(tasks, connection -> latencies.add(LoadGenerator.submitAndWait(connection)));
        if (figures != null) {
            figures.put("e2e_tasks_per_s", perSecond);
            List<Long> sorted = sorted(latencies);
            figures.put("e2e_p50_ms_full_load", percentileMillis(sorted, 50));
            figures.put("e2e_p99_ms_full_load", percentileMillis(sorted, 99));
            cpu.putPerTask(figures, "e2e", cpuBefore, tasks);
        }
        return perSecond;
    }

    /**
     * Open loop at half the measured peak: a new task every 1/rate s, each POSTed and long-polled on a connection of
     * its own (kept alive and reused once it is free, as a client pool would).
     */
    private void halfLoad(Figures figures, Duration duration) throws Exception {
        double rate = Math.max(1, figures.get("e2e_tasks_per_s") / 2);
        int tasks = (int) (rate * duration.toSeconds());
        ConcurrentLinkedQueue<LoadGenerator.Trace> traces = new ConcurrentLinkedQueue<>();
        ZooKeeperFsyncs.Mark fsyncs = ZooKeeperFsyncs.mark(cluster.zooKeeperLogs());
        LoadGenerator.openLoop(rate, tasks, connection -> traces.add(LoadGenerator.submitAndTrace(connection)));
        List<ZooKeeperFsyncs.Fsync> slowSyncs = fsyncs.since();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        traces.forEach(trace -> latencies.add(trace.totalMicros()));
        List<Long> sorted = sorted(latencies);
        figures.put("e2e_half_load_rate_per_s", rate);
        figures.put("e2e_p50_ms_half_load", percentileMillis(sorted, 50));
        figures.put("e2e_p99_ms_half_load", percentileMillis(sorted, 99));
        figures.put("e2e_max_ms_half_load", sorted.isEmpty() ? 0 : (double) sorted.get(sorted.size() - 1) / 1000);
        SlowTasks.log(traces, 5);
        // every write waits for a sync of ZooKeeper's log: one that lasts is a stall of every task in flight
        figures.put("e2e_half_load_zookeeper_slow_fsyncs", slowSyncs.size());
        figures.put("e2e_half_load_zookeeper_fsync_max_ms",
                slowSyncs.stream().mapToLong(ZooKeeperFsyncs.Fsync::millis).max().orElse(0));
        slowSyncs.forEach(sync -> Log.line(String.format("    ZooKeeper log sync over %d ms: %d ms, logged at %s",
                ZooKeeperFsyncs.THRESHOLD_MILLIS, sync.millis(), sync.at())));
    }

    private static List<Long> sorted(ConcurrentLinkedQueue<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return sorted;
    }

    /** The p-th percentile of sorted microseconds, in milliseconds. */
    static double percentileMillis(List<Long> sortedMicros, int p) {
        if (sortedMicros.isEmpty()) {
            return 0;
        }
        int index = (int) Math.min(sortedMicros.size() - 1, Math.ceil(p / 100.0 * sortedMicros.size()) - 1);
        return sortedMicros.get(Math.max(0, index)) / 1000.0;
    }
}
