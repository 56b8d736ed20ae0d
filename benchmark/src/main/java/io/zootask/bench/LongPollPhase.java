package io.zootask.bench;

import io.zootask.protocol.ZNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;

/**
 * Long-poll capacity: with the workers stopped, thousands of {@code GET /tasks/{id}?waitSeconds=60} wait on queued
 * tasks at once; the gateway's waiting count, live threads and heap at the peak; then the workers come back and every
 * poll should be answered "done".
 */
final class LongPollPhase implements Phase {

    private static final List<String> WORKERS = List.of("w1", "w2");

    private final BenchCluster cluster;
    private final GatewayClient gateway;
    private final int waiting;

    LongPollPhase(BenchCluster cluster, GatewayClient gateway, BenchOptions options) {
        this.cluster = cluster;
        this.gateway = gateway;
        this.waiting = options.quick() ? 1000 : 10000;
    }

    @Override
    public String title() {
        return "long-poll capacity";
    }

    @Override
    public void run(Figures figures) throws Exception {
        for (String worker : WORKERS) {
            BenchCluster.stop(cluster.service(worker));
        }
        Await.until(() -> cluster.children(ZNodes.WORKERS) == 0, Duration.ofSeconds(60));
        List<String> ids = createQueuedTasks();
        HttpClient many = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newFixedThreadPool(8)).build();
        AtomicInteger answeredDone = new AtomicInteger();
        AtomicInteger failedPolls = new AtomicInteger();
        List<CompletableFuture<Void>> polls = new ArrayList<>();
        for (String id : ids) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.base() + "/tasks/" + id
                            + "?waitSeconds=60")).timeout(Duration.ofSeconds(120)).GET().build();
            polls.add(many.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                if (response.statusCode() == 200 && "done".equals(GatewayClient.field(response.body(), "state"))) {
                    answeredDone.incrementAndGet();
                }
            }).exceptionally(failed -> {
                failedPolls.incrementAndGet(); // counted, not fatal: the figure shows how many were answered
                return null;
            }));
        }
        recordPeak(figures);
        for (String worker : WORKERS) {
            cluster.restart(worker);
        }
        CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        figures.put("longpoll_answered_done", (double) answeredDone.get());
        figures.put("longpoll_failed", (double) failedPolls.get());
    }

    /** Queued tasks, as znodes: no worker is there to take them. Their ids. */
    private List<String> createQueuedTasks() throws InterruptedException {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch created = new CountDownLatch(waiting);
        for (int i = 0; i < waiting; i++) {
            cluster.zk().create(ZNodes.taskSequentialPrefix(), LoadGenerator.NOOP_TASK, BenchZooKeeper.ACL,
                    CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, name) -> {
                        ids.add(ZNodes.nameOf(name));
                        created.countDown();
                    }, null);
        }
        created.await(2, TimeUnit.MINUTES);
        return ids;
    }

    /**
     * Lets the polls reach the gateway and park, and reads its threads and heap at the peak. The first ones answer
     * after 60 s whatever happens, so the peak is what counts if the machine is too slow to park all in time.
     */
    private void recordPeak(Figures figures) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(55);
        double peak = -1;
        while (System.nanoTime() < deadline && peak < waiting) {
            try {
                double now = gateway.metric("zootask_gateway_longpolls_waiting");
                if (now > peak) {
                    peak = now;
                    figures.put("longpoll_waiting", now);
                    figures.put("longpoll_threads", gateway.metric("jvm_threads_live_threads"));
                    figures.put("longpoll_heap_mb", gateway.metric("jvm_memory_used_bytes{area=\"heap\"")
                            / (1024 * 1024));
                }
            } catch (Exception notYet) {
                // the gateway is busy accepting; ask again
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }
}
