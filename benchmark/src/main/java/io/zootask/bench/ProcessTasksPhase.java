package io.zootask.bench;

import io.zootask.protocol.ZNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;

/**
 * Real commands through the whole coordination path: tasks {@code ["true"]} created as {@code /tasks} znodes (as the
 * coordination phase does), each run by a worker as a process, from the first create until every task has finished;
 * and that rate against {@code process_spawn_ceiling_per_s} of the same run. Starts the masters and workers if no
 * phase before it did.
 */
final class ProcessTasksPhase implements Phase {

    private static final byte[] TRUE_TASK = "{\"command\":[\"true\"]}".getBytes(StandardCharsets.UTF_8);

    private final BenchCluster cluster;
    private final CpuAccounting cpu;
    private final BenchOptions options;

    ProcessTasksPhase(BenchCluster cluster, CpuAccounting cpu, BenchOptions options) {
        this.cluster = cluster;
        this.cpu = cpu;
        this.options = options;
    }

    @Override
    public String title() {
        return "real commands: tasks [\"true\"] created as znodes, 2 workers x " + options.workerSlots() + " slots";
    }

    @Override
    public void run(Figures figures) throws Exception {
        cluster.startMastersAndWorkers();
        // JIT warm-up of the workers' process path, which the no-op tasks before did not run: C2 compiles a method
        // after some 15 000 calls, and measured after 12 000 tasks (6 000 per worker) a sixth of the workers' CPU
        // was still the compiler's (profiled with perf)
        for (int round = 0; round < (options.quick() ? 1 : 4); round++) {
            Log.line(String.format("    warm-up round: %.0f tasks/s", tasksPerSecond(options.n(8000))));
        }
        int tasks = options.n(5000);
        Map<String, Double> cpuBefore = cpu.seconds();
        double taskProcessesBefore = cpu.workersChildrenSeconds();
        double rate = tasksPerSecond(tasks);
        figures.put("process_tasks_per_s", rate);
        if (figures.contains("process_spawn_ceiling_per_s")) {
            figures.put("process_vs_spawn_ratio", rate / figures.get("process_spawn_ceiling_per_s"));
        }
        cpu.putPerTask(figures, "process", cpuBefore, tasks);
        // the task processes' own (true), reaped by the workers: not in any role above
        figures.put("process_cpu_ms_per_task_task_processes",
                (cpu.workersChildrenSeconds() - taskProcessesBefore) * 1000 / tasks);
    }

    private double tasksPerSecond(int tasks) throws Exception {
        long start = System.nanoTime();
        CountDownLatch created = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            cluster.zk().create(ZNodes.taskSequentialPrefix(), TRUE_TASK, BenchZooKeeper.ACL,
                    CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, name) -> created.countDown(), null);
        }
        created.await(2, TimeUnit.MINUTES);
        Await.until(cluster::drained, Duration.ofMinutes(5));
        return tasks / ((System.nanoTime() - start) / 1e9);
    }
}
