package io.zootask.bench;

import io.zootask.protocol.ZNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;

/**
 * Coordination throughput without HTTP: tasks created directly as {@code /tasks} znodes, 1 active master (and a
 * standby) and 2 workers, from the first create until every task has finished. Starts those masters and workers.
 */
final class CoordinationPhase implements Phase {

    private final BenchCluster cluster;
    private final CpuAccounting cpu;
    private final BenchOptions options;

    CoordinationPhase(BenchCluster cluster, CpuAccounting cpu, BenchOptions options) {
        this.cluster = cluster;
        this.cpu = cpu;
        this.options = options;
    }

    @Override
    public String title() {
        return "coordination throughput: 1 master, 2 workers, tasks created as znodes";
    }

    @Override
    public void run(Figures figures) throws Exception {
        cluster.startMaster(1);
        cluster.startMaster(2);
        cluster.startWorker(1);
        cluster.startWorker(2);
        Await.until(() -> cluster.children(ZNodes.WORKERS) == 2 && cluster.zk().exists(ZNodes.MASTER, false) != null,
                Duration.ofSeconds(120));
        // JIT warm-up: the master's and the workers' hot paths reach their compiled speed after some 40 000 tasks
        // (the rate climbs from ~1 900/s to ~6 000/s here); measured before that, the figure is the compiler's
        for (int round = 0; round < (options.quick() ? 1 : 5); round++) {
            Log.line(String.format("    warm-up round: %.0f tasks/s", tasksPerSecond(options.n(10000),
                    round % 2 == 0 ? List.of(LoadGenerator.NOOP_TASK) : mixedTasks())));
        }
        int tasks = options.n(20000);
        Map<String, Double> cpuBefore = cpu.seconds();
        double plain = tasksPerSecond(tasks, List.of(LoadGenerator.NOOP_TASK));
        figures.put("coordination_tasks_per_s", plain);
        cpu.putPerTask(figures, "coordination", cpuBefore, tasks);
        // the same with every lifecycle field in use: priorities 0-9, half of the tasks requiring worker 1's label,
        // one in ten delayed by a second (all due within the run)
        double mixed = tasksPerSecond(tasks, mixedTasks());
        figures.put("coordination_mixed_tasks_per_s", mixed);
        figures.put("coordination_mixed_ratio", mixed / plain);
    }

    private static List<byte[]> mixedTasks() {
        String due = Instant.now().plusSeconds(1).toString();
        List<byte[]> variants = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String requires = i % 2 == 0 ? ",\"requires\":{\"pool\":\"bench\"}" : "";
            String delay = i % 10 == 0 ? ",\"notBefore\":\"" + due + "\"" : "";
            variants.add(("{\"command\":[\"zootask:noop\"],\"priority\":" + (i % 10) + requires + delay + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return variants;
    }

    /** Tasks per second, from the first create until every task has left /tasks and /assign (finished). */
    private double tasksPerSecond(int tasks, List<byte[]> kinds) throws Exception {
        long start = System.nanoTime();
        CountDownLatch created = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            cluster.zk().create(ZNodes.taskSequentialPrefix(), kinds.get(i % kinds.size()), BenchZooKeeper.ACL,
                    CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, name) -> created.countDown(), null);
        }
        created.await(2, TimeUnit.MINUTES);
        Await.until(cluster::drained, Duration.ofMinutes(5));
        return tasks / ((System.nanoTime() - start) / 1e9);
    }
}
