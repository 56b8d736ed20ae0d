package io.zootask.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/**
 * The event stream under load: 1 000 subscribers held by one gateway (its threads and heap with them), and how soon
 * after its status znode is written a task's end reaches a client, at half the end-to-end phase's peak rate.
 *
 * <p>The subscribers are what a gateway would serve: {@value #DASHBOARDS} dashboards following every event
 * ({@code GET /events}), and the rest each following one task of its own ({@code GET /tasks/{id}/events}), as a CLI
 * that submitted it would; those tasks wait (they require a label no worker has) until the phase cancels them, and
 * each stream must then end with {@code cancelled}. A thousand followers of every event at that rate would be
 * ~2 400 events/s x 1 000 x ~250 bytes, 600 MB/s through one 2-core machine's loopback, for the clients too. The
 * dashboards are read by {@link DashboardReader}s, a socket and a thread each, as cheap as a client gets.
 */
final class SsePhase implements Phase {

    static final int SUBSCRIBERS = 1000;
    static final int DASHBOARDS = 10;
    private static final String WAITING_TASK = "{\"command\":[\"zootask:noop\"],\"requires\":{\"pool\":\"nowhere\"}}";

    private final BenchCluster cluster;
    private final GatewayClient gateway;
    private final BenchOptions options;

    SsePhase(BenchCluster cluster, GatewayClient gateway, BenchOptions options) {
        this.cluster = cluster;
        this.gateway = gateway;
        this.options = options;
    }

    @Override
    public String title() {
        return "event stream: " + SUBSCRIBERS + " subscribers, latency at half load";
    }

    @Override
    public void run(Figures figures) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newFixedThreadPool(4)).build();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<Follower> followers = new ArrayList<>();
        List<DashboardReader> dashboards = new ArrayList<>();
        for (int i = 0; i < DASHBOARDS; i++) {
            dashboards.add(new DashboardReader(BenchCluster.GATEWAY_PORT, latencies));
        }
        List<String> waiting = new ArrayList<>();
        for (int i = DASHBOARDS; i < SUBSCRIBERS; i++) {
            String id = gateway.submit(WAITING_TASK);
            waiting.add(id);
            followers.add(open(http, "/tasks/" + id + "/events"));
        }
        Await.until(() -> gateway.metric("zootask_gateway_events_subscribers") >= SUBSCRIBERS,
                Duration.ofSeconds(60));
        figures.put("sse_subscribers", gateway.metric("zootask_gateway_events_subscribers"));
        figures.put("sse_threads", gateway.metric("jvm_threads_live_threads"));
        figures.put("sse_heap_mb", gateway.metric("jvm_memory_used_bytes{area=\"heap\"") / (1024 * 1024));

        double rate = figures.getOrDefault("e2e_tasks_per_s", 1000) / 2;
        int tasks = (int) (rate * (options.quick() ? 4 : 10));
        LoadGenerator.openLoop(rate, tasks, connection -> connection.postJson("/tasks", LoadGenerator.NOOP_TASK));
        Await.until(() -> latencies.size() >= (long) tasks * DASHBOARDS, Duration.ofSeconds(120));
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        figures.put("sse_load_tasks_per_s", rate);
        figures.put("sse_event_p50_ms", EndToEndPhase.percentileMillis(sorted, 50));
        figures.put("sse_event_p99_ms", EndToEndPhase.percentileMillis(sorted, 99));

        for (String id : waiting) {
            gateway.cancel(id);
        }
        List<Follower> oneTask = followers;
        Await.until(() -> oneTask.stream().allMatch(f -> f.ended.isDone()), Duration.ofSeconds(120));
        figures.put("sse_task_streams_ended_cancelled", (double) oneTask.stream()
                .filter(f -> f.sawCancelled).count());
        for (Follower follower : followers) {
            follower.cancel();
        }
        for (DashboardReader dashboard : dashboards) {
            dashboard.close();
        }
    }

    private Follower open(HttpClient http, String path) {
        Follower follower = new Follower();
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .header("Accept", "text/event-stream").GET().build();
        follower.response = http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(follower));
        return follower;
    }

    /** One task's stream ({@code GET /tasks/{id}/events}), read as lines as they come, without a thread of its own. */
    private static final class Follower implements Flow.Subscriber<String> {

        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private CompletableFuture<HttpResponse<Void>> response;
        private Flow.Subscription subscription;
        private volatile boolean sawCancelled;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.startsWith("data: ") && line.contains("\"state\":\"cancelled\"")) {
                sawCancelled = true;
            }
        }

        @Override
        public void onError(Throwable failure) {
            ended.complete(null);
        }

        @Override
        public void onComplete() {
            ended.complete(null);
        }

        void cancel() {
            if (subscription != null) {
                subscription.cancel();
            }
            if (response != null) {
                response.cancel(true);
            }
        }
    }
}
