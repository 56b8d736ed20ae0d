package io.zootask.bench;

import java.util.Optional;

/**
 * {@code --peer celery}: Celery 5 with Redis (Debian's packages) on the same machine, measured as zootask's phases
 * measure it: a no-op task with the coordination phase's count, a {@code /bin/true} task with the process phase's,
 * each submitted all at once and timed until the last result, after a warm-up. The worker runs one prefork process
 * per core, as zootask's workers' slots share those cores. Runs last: it first stops zootask, so that the peer has
 * the machine to itself as zootask's phases had it. Without the packages it says how to install them and measures
 * nothing, without failing the run.
 */
final class CeleryPeerPhase implements Phase {

    private final BenchCluster cluster;
    private final BenchOptions options;

    CeleryPeerPhase(BenchCluster cluster, BenchOptions options) {
        this.cluster = cluster;
        this.options = options;
    }

    @Override
    public String title() {
        return "peer: Celery + Redis, prefork, one process per core (zootask stopped)";
    }

    @Override
    public void run(Figures figures) throws Exception {
        Optional<String> missing = CeleryPeer.missingPrerequisites();
        if (missing.isPresent()) {
            Log.line("    skipping the Celery peer: " + missing.get() + ". Install Debian's packages with:");
            Log.line("      " + CeleryPeer.INSTALL);
            return;
        }
        cluster.close();
        int cores = Runtime.getRuntime().availableProcessors();
        try (CeleryPeer peer = CeleryPeer.start(options.root().resolve("benchmark/src/main/python/celery_peer"),
                options.results(), cores)) {
            CeleryPeer.Measured noop = peer.measure("noop", options.n(20000), options.n(2000));
            Log.line(String.format("    no-op: %.0f tasks/s", noop.tasksPerSecond()));
            CeleryPeer.Measured process = peer.measure("process", options.n(5000), options.n(500));
            Log.line(String.format("    /bin/true: %.0f tasks/s", process.tasksPerSecond()));
            figures.put("peer_celery_noop_tasks_per_s", noop.tasksPerSecond());
            figures.put("peer_celery_process_tasks_per_s", process.tasksPerSecond());
            figures.putText("peer_celery_version", noop.celeryVersion());
            figures.putText("peer_redis_version", CeleryPeer.redisVersion());
            ratio(figures, "coordination_vs_celery_noop_ratio", "coordination_tasks_per_s",
                    "peer_celery_noop_tasks_per_s");
            ratio(figures, "process_vs_celery_ratio", "process_tasks_per_s", "peer_celery_process_tasks_per_s");
        }
    }

    /** zootask's figure over the peer's, when this run measured both. */
    private static void ratio(Figures figures, String name, String zootask, String peer) {
        if (figures.contains(zootask) && figures.contains(peer)) {
            figures.put(name, figures.get(zootask) / figures.get(peer));
        }
    }
}
