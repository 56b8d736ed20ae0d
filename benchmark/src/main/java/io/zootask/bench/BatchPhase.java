package io.zootask.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Batches over HTTP: clients POST batches of {@value #BATCH} no-op tasks and wait until the gateway shows every task
 * of the batch done; the time from the first POST until the last confirmation. Runs after
 * {@link EndToEndPhase} (which starts the gateway) and {@link CoordinationPhase} (the figure it is held against).
 *
 * <p>Waiting with one long-poll per task would measure the GETs, not the batches: the gateway answers ~3 000
 * requests/s at best, fewer than the tasks the cluster runs. So a client long-polls only its batch's last task,
 * then confirms the batch with one listing ({@code GET /tasks?state=done}), a task not listed done being
 * long-polled on its own, before it sends its next batch. Every task is confirmed by an answer of the gateway.
 * (Confirming all the tasks at the end instead, 500 a page, added a tail of 40 % to a quick run.)
 */
final class BatchPhase implements Phase {

    static final int BATCH = 100;
    /** Enough batches under way to keep every worker slot busy while some clients confirm theirs. */
    private static final int CLIENTS = 16;
    private static final byte[] NOOP_BATCH = String.join(",", Collections.nCopies(BATCH, GatewayClient.NOOP_JSON))
            .transform(tasks -> ("[" + tasks + "]").getBytes(StandardCharsets.UTF_8));

    private final BenchOptions options;

    BatchPhase(BenchOptions options) {
        this.options = options;
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
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.quick() ? 8 : 30);
        do {
            Log.line(String.format("    warm-up round: %.0f tasks/s", round(options.n(10_000))));
        } while (System.nanoTime() < warmUntil);
        double perSecond = round(options.n(20_000));
        figures.put("batch_e2e_tasks_per_s", perSecond);
        figures.put("batch_vs_coordination_ratio", perSecond / figures.get("coordination_tasks_per_s"));
    }

    /** Tasks per second, from the first POST until every task is confirmed done. */
    private double round(int tasks) throws Exception {
        int batches = Math.max(1, tasks / BATCH);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger confirmed = new AtomicInteger();
        long start = System.nanoTime();
        LoadGenerator.inParallel(CLIENTS, connection -> {
            while (next.getAndIncrement() < batches) {
                List<String> ids = submit(connection);
                awaitFinished(connection, ids.get(ids.size() - 1));
                confirmed.addAndGet(confirm(connection, ids));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
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

    /**
     * How many of a batch's {@code ids} (consecutive: one transaction created them) the gateway shows done: one
     * listing from just above the newest, down past the oldest; a task not in it is long-polled until it finishes.
     */
    private static int confirm(KeepAliveConnection connection, List<String> ids) throws IOException {
        Set<String> waiting = new HashSet<>(ids);
        String oldest = ids.get(0);
        String cursor = after(ids.get(ids.size() - 1));
        while (cursor != null && cursor.compareTo(oldest) > 0) {
            KeepAliveConnection.Answer page = connection.get("/tasks?state=done&limit=" + ids.size() + "&cursor="
                    + cursor);
            if (page.status() != 200) {
                throw new IOException("GET /tasks answered " + page.status() + ": " + page.body());
            }
            JsonNode listed = GatewayClient.JSON.readTree(page.body());
            listed.get("items").forEach(task -> waiting.remove(task.get("id").asString()));
            JsonNode more = listed.get("nextCursor");
            cursor = more == null || more.isNull() ? null : more.asString();
        }
        for (String id : waiting) {
            awaitFinished(connection, id);
        }
        return ids.size();
    }

    /** The id just after {@code id}: a cursor from which a listing starts with {@code id}. */
    private static String after(String id) {
        int digits = id.length() - "task-".length();
        return "task-" + String.format("%0" + digits + "d", Long.parseLong(id.substring("task-".length())) + 1);
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
