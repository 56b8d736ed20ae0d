package io.zootask.bench;

import java.util.concurrent.atomic.AtomicInteger;

/** ZooKeeper writes per task over HTTP, measured, not estimated: every transaction advances the zxid by one. */
final class WritesPerTaskPhase implements Phase {

    private final BenchCluster cluster;
    private final BenchOptions options;

    WritesPerTaskPhase(BenchCluster cluster, BenchOptions options) {
        this.cluster = cluster;
        this.options = options;
    }

    @Override
    public String title() {
        return "writes per task";
    }

    @Override
    public void run(Figures figures) throws Exception {
        int tasks = options.n(1000);
        long before = cluster.probeZxid();
        AtomicInteger next = new AtomicInteger();
        LoadGenerator.inParallel(16, connection -> {
            while (next.getAndIncrement() < tasks) {
                LoadGenerator.submitAndWait(connection);
            }
        });
        long after = cluster.probeZxid();
        // minus the second probe itself
        figures.put("writes_per_task", (after - before - 1) / (double) tasks);
    }
}
