package io.zootask.bench;

import java.util.List;

/**
 * {@code bin/bench}: one run, against one real ZooKeeper server started for it, measuring ZooKeeper's ceiling and
 * zootask beside it (coordination throughput, HTTP end to end, writes per task, long-poll capacity, failover), one
 * {@link Phase} each. Prints a table, writes {@code bench/results/latest.json} and a chart ({@link Report}).
 */
public final class Bench {

    /** The services' default session timeout, which the failover figures are read against. */
    private static final double SESSION_TIMEOUT_SECONDS = 10;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        System.setProperty("java.awt.headless", "true");
        try (BenchCluster cluster = new BenchCluster(options)) {
            run(options, cluster);
        }
        System.exit(0);
    }

    private static void run(BenchOptions options, BenchCluster cluster) throws Exception {
        cluster.startZooKeeper();
        CpuAccounting cpu = new CpuAccounting(cluster);
        GatewayClient gateway = new GatewayClient();
        List<Phase> phases = List.of(
                new CeilingPhase(cluster.connect(), options),
                new CoordinationPhase(cluster, cpu, options),
                new EndToEndPhase(cluster, cpu, options),
                new BatchPhase(options),
                new WritesPerTaskPhase(cluster, options),
                new LongPollPhase(cluster, gateway, options),
                new CancelPhase(cluster, gateway, options),
                new FailoverPhase(cluster, gateway));
        Figures figures = new Figures();
        figures.put("session_timeout_s", SESSION_TIMEOUT_SECONDS);
        try {
            for (int i = 0; i < phases.size(); i++) {
                Log.line((i + 1) + "/" + phases.size() + " " + phases.get(i).title());
                phases.get(i).run(figures);
            }
        } finally {
            Report.write(figures, options.results());
        }
    }
}
