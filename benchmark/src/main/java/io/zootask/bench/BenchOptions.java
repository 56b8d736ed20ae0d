package io.zootask.bench;

import java.nio.file.Path;
import java.util.Set;

/**
 * {@code bin/bench}'s command line: {@code --root DIR} (the source tree, set by the script), {@code --quick},
 * {@code --worker-slots N}, {@code --phases a,b} (only those phases, by the names {@code Bench} gives them; a phase
 * starts what it needs that an earlier one would have), {@code --zookeeper-port N} (22181: another run on the same
 * machine needs another; an ensemble's ports are counted from it), {@code --peer celery} and {@code --ensemble N}.
 *
 * @param workerSlots slots bound how many tasks a worker holds at once, so tasks in flight = 2 workers x slots, and
 *     throughput is at most that over one task's round trip (a few ZooKeeper disk syncs). A zootask:noop slot costs
 *     nothing; with the workers' default (one per core) the run would measure that latency x 4, not what the design
 *     can carry.
 * @param peer the system measured beside zootask in the same run ({@code celery}), or {@code null}
 * @param zookeeperServers 1, or the size of the ensemble the run starts ({@link ZooKeeperServers})
 */
record BenchOptions(Path root, boolean quick, int workerSlots, Set<String> phases, int zooKeeperPort,
                    String peer, int zookeeperServers) {

    static BenchOptions parse(String[] args) {
        Path root = Path.of("").toAbsolutePath();
        boolean quick = false;
        int workerSlots = 128;
        Set<String> phases = Set.of();
        int zooKeeperPort = 22181; // below the ephemeral range (32768+), where a client socket could hold it
        String peer = null;
        int zookeeperServers = 1;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--root")) {
                root = Path.of(args[++i]).toAbsolutePath();
            } else if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("--worker-slots")) {
                workerSlots = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--phases")) {
                phases = Set.of(args[++i].split(","));
            } else if (args[i].equals("--zookeeper-port")) {
                zooKeeperPort = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--peer")) {
                peer = args[++i];
                if (!peer.equals("celery")) {
                    throw new IllegalArgumentException("--peer: the one peer is celery, not " + peer);
                }
            } else if (args[i].equals("--ensemble")) {
                zookeeperServers = Integer.parseInt(args[++i]);
            }
        }
        return new BenchOptions(root, quick, workerSlots, phases, zooKeeperPort, peer, zookeeperServers);
    }

    /** A count of the full run, or a tenth of it (at least 100) in a quick one. */
    int n(int full) {
        return quick ? Math.max(100, full / 10) : full;
    }

    /** Whether the run includes the phase Bench calls {@code name}: every phase unless --phases was given. */
    boolean runs(String name) {
        return phases.isEmpty() || phases.contains(name);
    }

    Path results() {
        return root.resolve("bench").resolve("results");
    }

    /** The results' file name: an ensemble's run beside, not over, the single server's. */
    String resultsName() {
        return zookeeperServers == 1 ? "latest" : "latest-ensemble" + zookeeperServers;
    }
}
