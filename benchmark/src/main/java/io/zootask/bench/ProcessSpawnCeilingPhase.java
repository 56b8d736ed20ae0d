package io.zootask.bench;

import io.zootask.worker.execution.ProcessLauncher;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling of real commands: {@code true} launched exactly as a worker launches a task's process
 * ({@link ProcessLauncher}), its output read to the end and its exit awaited, from a plain loop with as many threads
 * as the process phase has tasks in flight (2 workers x slots), without ZooKeeper or anything else of zootask's.
 */
final class ProcessSpawnCeilingPhase implements Phase {

    static final Path TRUE = Path.of("/usr/bin/true");

    private final BenchOptions options;

    ProcessSpawnCeilingPhase(BenchOptions options) {
        this.options = options;
    }

    /** What the process phase has in flight: its 2 workers' slots. */
    static int concurrency(BenchOptions options) {
        return 2 * options.workerSlots();
    }

    @Override
    public String title() {
        return "process spawn ceiling: `true` launched as a worker does, " + concurrency(options)
                + " threads, no ZooKeeper";
    }

    @Override
    public void run(Figures figures) throws Exception {
        Path directory = Files.createTempDirectory("zootask-bench-spawn-");
        try {
            int threads = concurrency(options);
            launches(directory, options.n(2000) / 2, threads); // warm-up
            figures.put("process_spawn_ceiling_per_s", launches(directory, options.n(2000), threads));
            // the same with a handful of threads: on 2 cores, hundreds of threads forking at once launch slower
            figures.put("process_spawn_4_threads_per_s", launches(directory, options.n(2000), 4));
        } finally {
            Files.deleteIfExists(directory);
        }
    }

    private static double launches(Path directory, int count, int threads) throws Exception {
        Map<String, String> environment = Map.of("PATH", "/usr/bin:/bin", "HOME", directory.toString());
        AtomicInteger left = new AtomicInteger(count);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            List<Future<Void>> loops = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                loops.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        Process process;
                        try (ProcessLauncher.Turn turn = ProcessLauncher.awaitTurn()) {
                            process = ProcessLauncher.start(turn, TRUE, List.of(), directory, environment);
                        }
                        try (InputStream out = process.getInputStream()) {
                            out.transferTo(OutputStream.nullOutputStream());
                        }
                        if (process.waitFor() != 0) {
                            throw new IllegalStateException("true exited with " + process.exitValue());
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> loop : loops) {
                loop.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }
}
