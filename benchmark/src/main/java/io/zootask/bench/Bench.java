package io.zootask.bench;

import io.zootask.worker.execution.ProcessLauncher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench}: one run, against one real ZooKeeper server (or with {@code --ensemble 3} three) started for it,
 * measuring ZooKeeper's ceiling and zootask beside it (coordination throughput, HTTP end to end, writes per task,
 * long-poll capacity, failover), one {@link Phase} each, and with {@code --peer celery} Celery in the same run. Prints
 * a table, writes {@code bench/results/latest.json} (or {@code latest-ensemble3.json}) and a chart ({@link Report}).
 */
public final class Bench {

    /** The services' default session timeout, which the failover figures are read against. */
    private static final double SESSION_TIMEOUT_SECONDS = 10;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        // before the first process this JVM starts (ZooKeeper's): the spawn ceiling launches as the worker does
        ProcessLauncher.chooseLaunchMechanism();
        BenchOptions options = BenchOptions.parse(args);
        System.setProperty("java.awt.headless", "true");
        try (BenchCluster cluster = new BenchCluster(options)) {
            run(options, cluster);
        } catch (Exception failed) {
            failed.printStackTrace();
            // the ZooKeeper and HTTP clients' threads would keep this JVM alive after a failed run
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(BenchOptions options, BenchCluster cluster) throws Exception {
        cluster.startZooKeeper();
        CpuAccounting cpu = new CpuAccounting(cluster);
        GatewayClient gateway = new GatewayClient();
        // by the names --phases selects them by
        Map<String, Phase> all = new LinkedHashMap<>();
        all.put("ceiling", new CeilingPhase(cluster.connect(), options));
        all.put("coordination", new CoordinationPhase(cluster, cpu, options));
        all.put("spawn", new ProcessSpawnCeilingPhase(options));
        all.put("process", new ProcessTasksPhase(cluster, cpu, options));
        all.put("e2e", new EndToEndPhase(cluster, cpu, options));
        all.put("batch", new BatchPhase(options, gateway, cpu));
        all.put("writes", new WritesPerTaskPhase(cluster, options));
        all.put("sse", new SsePhase(cluster, gateway, options));
        all.put("longpoll", new LongPollPhase(cluster, gateway, options));
        all.put("cancel", new CancelPhase(cluster, gateway, options));
        all.put("failover", new FailoverPhase(cluster, gateway));
        if ("celery".equals(options.peer())) {
            all.put("celery", new CeleryPeerPhase(cluster, options)); // last: it stops zootask first
        }
        List<String> unknown = options.phases().stream().filter(name -> !all.containsKey(name)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--phases: no phase " + unknown + "; the phases: " + all.keySet());
        }
        List<Phase> phases = all.entrySet().stream().filter(phase -> options.runs(phase.getKey()))
                .map(Map.Entry::getValue).toList();
        Figures figures = new Figures();
        figures.put("session_timeout_s", SESSION_TIMEOUT_SECONDS);
        figures.put("zookeeper_servers", options.zookeeperServers());
        try {
            for (int i = 0; i < phases.size(); i++) {
                Log.line((i + 1) + "/" + phases.size() + " " + phases.get(i).title());
                phases.get(i).run(figures);
            }
        } finally {
            Report.write(figures, options.results(), options.resultsName());
        }
    }
}
