package io.zootask.bench;

import io.zootask.protocol.ZNodes;
import java.time.Duration;
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
            Log.line(String.format("    warm-up round: %.0f tasks/s", tasksPerSecond(options.n(10000))));
        }
        int tasks = options.n(20000);
        Map<String, Double> cpuBefore = cpu.seconds();
        figures.put("coordination_tasks_per_s", tasksPerSecond(tasks));
        cpu.putPerTask(figures, "coordination", cpuBefore, tasks);
    }

    /** Tasks per second, from the first create until every task has left /tasks and /assign (finished). */
    private double tasksPerSecond(int tasks) throws Exception {
        long start = System.nanoTime();
        CountDownLatch created = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            cluster.zk().create(ZNodes.taskSequentialPrefix(), LoadGenerator.NOOP_TASK, BenchZooKeeper.ACL,
                    CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, name) -> created.countDown(), null);
        }
        created.await(2, TimeUnit.MINUTES);
        Await.until(cluster::drained, Duration.ofMinutes(5));
        return tasks / ((System.nanoTime() - start) / 1e9);
    }
}
