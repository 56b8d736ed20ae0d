package io.zootask.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Batches over HTTP: clients POST batches of {@value #BATCH} no-op tasks and wait for each batch, then every task is
 * confirmed done by the gateway; the time from the first POST until the last confirmation. Runs after
 * {@link EndToEndPhase} (which starts the gateway) and {@link CoordinationPhase} (the figure it is held against).
 *
 * <p>Waiting with one long-poll per task would measure the GETs, not the batches: the gateway answers ~3 000
 * requests/s at best, fewer than the tasks the cluster runs. So a client long-polls only its batch's last task,
 * and the tasks are then confirmed by listing them ({@code GET /tasks?state=done}, 500 a page), a task not listed
 * done being long-polled on its own. Every task is confirmed by an answer of the gateway.
 */
final class BatchPhase implements Phase {

    static final int BATCH = 100;
    private static final int CLIENTS = 8;
    private static final int PAGE = 500;
    private static final byte[] NOOP_BATCH = String.join(",", Collections.nCopies(BATCH, GatewayClient.NOOP_JSON))
            .transform(tasks -> ("[" + tasks + "]").getBytes(StandardCharsets.UTF_8));

    private final BenchOptions options;

    BatchPhase(BenchOptions options) {
        this.options = options;
    }

    @Override
    public String title() {
        return "batches over HTTP: " + CLIENTS + " clients POST " + BATCH + " tasks at a time, then all confirmed done";
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
        ConcurrentLinkedQueue<String> created = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        LoadGenerator.inParallel(CLIENTS, connection -> {
            while (next.getAndIncrement() < batches) {
                List<String> ids = submit(connection);
                created.addAll(ids);
                awaitFinished(connection, ids.get(ids.size() - 1));
            }
        });
        List<String> ids = new ArrayList<>(created);
        Collections.sort(ids); // task ids of one width: text order is submission order
        List<List<String>> pages = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += PAGE) {
            pages.add(ids.subList(from, Math.min(ids.size(), from + PAGE)));
        }
        double waited = (System.nanoTime() - start) / 1e9;
        AtomicInteger nextPage = new AtomicInteger();
        AtomicInteger confirmed = new AtomicInteger();
        LoadGenerator.inParallel(CLIENTS, connection -> {
            for (int p = nextPage.getAndIncrement(); p < pages.size(); p = nextPage.getAndIncrement()) {
                confirmed.addAndGet(confirm(connection, pages.get(p)));
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Log.line(String.format("    %d tasks: %.2f s to submit and see each batch's last task done, %.2f s more to"
                + " confirm every task", batches * BATCH, waited, seconds - waited));
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
     * How many of {@code ids} (consecutive in the order of submission) the gateway shows done: one listing from just
     * above the newest, down past the oldest; a task not in it is long-polled until it finishes.
     */
    private static int confirm(KeepAliveConnection connection, List<String> ids) throws IOException {
        Set<String> waiting = new HashSet<>(ids);
        String oldest = ids.get(0);
        String cursor = after(ids.get(ids.size() - 1));
        while (cursor != null && cursor.compareTo(oldest) > 0) {
            KeepAliveConnection.Answer page = connection.get("/tasks?state=done&limit=" + PAGE + "&cursor=" + cursor);
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
