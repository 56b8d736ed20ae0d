package io.zootask.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches over HTTP: clients POST batches of {@value #BATCH} no-op tasks and wait until the gateway tells every task
 * of the batch done; the time from the first POST until the last confirmation. Runs after
 * {@link EndToEndPhase} (which starts the gateway) and {@link CoordinationPhase} (the figure it is held against).
 *
 * <p>Waiting with one long-poll per task would measure the GETs, not the batches: the gateway answers ~3 000
 * requests/s at best, fewer than the tasks the cluster runs. So the clients share one
 * {@code GET /events?endsOnly=true} stream, as a program submitting batches would, and each waits for its batch's
 * ends there before it sends its next batch; a task whose end the stream did not tell in time (or after a reset) is
 * long-polled on its own. Every task is confirmed by the gateway.
 */
final class BatchPhase implements Phase {

    static final int BATCH = 100;
    /** Enough batches under way to keep every worker slot busy while some clients confirm theirs. */
    private static final int CLIENTS = 16;
    private static final byte[] NOOP_BATCH = String.join(",", Collections.nCopies(BATCH, GatewayClient.NOOP_JSON))
            .transform(tasks -> ("[" + tasks + "]").getBytes(StandardCharsets.UTF_8));

    private final BenchOptions options;
    private final GatewayClient gateway;
    private final CpuAccounting cpu;

    BatchPhase(BenchOptions options, GatewayClient gateway, CpuAccounting cpu) {
        this.options = options;
        this.gateway = gateway;
        this.cpu = cpu;
    }

    @Override
    public String title() {
        return "batches over HTTP: " + CLIENTS + " clients POST " + BATCH
                + " tasks at a time and see every one done";
    }

    @Override
    public void run(Figures figures) throws Exception {
        // the batch path (its reader, the multi, the answer) is new to the JIT after the single-task phases: warm it
        // for a while, as EndToEndPhase does, rather than measure the compiler
        double perSecond;
        try (FinishedTasks ends = FinishedTasks.follow(gateway)) {
            long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.quick() ? 8 : 30);
            do {
                Log.line(String.format("    warm-up round: %.0f tasks/s", round(options.n(10_000), ends)));
            } while (System.nanoTime() < warmUntil);
            Map<String, Double> cpuBefore = cpu.seconds();
            int tasks = options.n(20_000);
            perSecond = round(tasks, ends);
            cpu.putPerTask(figures, "batch", cpuBefore, tasks);
        }
        figures.put("batch_e2e_tasks_per_s", perSecond);
        figures.put("batch_vs_coordination_ratio", perSecond / figures.get("coordination_tasks_per_s"));
    }

    /** Tasks per second, from the first POST until every task is confirmed done. */
    private double round(int tasks, FinishedTasks ends) throws Exception {
        int batches = Math.max(1, tasks / BATCH);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger confirmed = new AtomicInteger();
        long start = System.nanoTime();
        LoadGenerator.inParallel(CLIENTS, connection -> {
            while (next.getAndIncrement() < batches) {
                List<String> ids = submit(connection);
                for (String untold : ends.awaitEnds(ids, Duration.ofSeconds(30))) {
                    awaitFinished(connection, untold);
                }
                confirmed.addAndGet(ids.size());
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        ends.forgetUnclaimed();
        if (confirmed.get() != batches * BATCH) {
            throw new IllegalStateException("confirmed " + confirmed + " of " + batches * BATCH + " tasks");
        }
        return confirmed.get() / seconds;
    }

    private static List<String> submit(KeepAliveConnection connection) throws IOException {
        KeepAliveConnection.Answer answer = connection.postJson("/tasks", NOOP_BATCH);
        if (answer.status() != 202) {
            throw new IOException("POST /tasks (a batch) answered " + answer.status() + ": " + answer.body());
        }
        List<String> ids = new ArrayList<>(BATCH);
        GatewayClient.JSON.readTree(answer.body()).forEach(task -> ids.add(task.get("id").asString()));
        if (ids.size() != BATCH) {
            throw new IOException("a batch of " + BATCH + " answered " + ids.size() + " tasks");
        }
        return ids;
    }

    private static void awaitFinished(KeepAliveConnection connection, String id) throws IOException {
        while (true) {
            KeepAliveConnection.Answer answer = connection.get("/tasks/" + id + "?waitSeconds=30");
            if (answer.status() != 200) {
                throw new IOException("GET /tasks/" + id + " answered " + answer.status() + ": " + answer.body());
            }
            if (LoadGenerator.isFinished(answer.body())) {
                if (!"done".equals(GatewayClient.field(answer.body(), "state"))) {
                    throw new IOException("task " + id + " did not succeed: " + answer.body());
                }
                return;
            }
        }
    }
}
