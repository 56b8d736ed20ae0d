package io.zootask.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Load over keep-alive HTTP/1.1 connections ({@link KeepAliveConnection}): clients that submit and long-poll. */
final class LoadGenerator {

    static final byte[] NOOP_TASK = GatewayClient.NOOP_JSON.getBytes(StandardCharsets.UTF_8);

    /** What one client does with its connection. */
    interface ClientLoop {
        void run(KeepAliveConnection connection) throws Exception;
    }

    private LoadGenerator() {
    }

    /** {@code clients} threads, each with a keep-alive connection of its own, until every loop has ended. */
    static void inParallel(int clients, ClientLoop loop) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                loops.add(CompletableFuture.runAsync(() -> {
                    try (KeepAliveConnection connection = new KeepAliveConnection(BenchCluster.GATEWAY_PORT)) {
                        loop.run(connection);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Open loop: {@code tasks} runs of {@code request}, one started every 1/{@code rate} s whether or not the earlier
     * ones are done, each on a kept-alive connection of its own (reused once it is free, as a client pool would; a
     * new one when none is). Returns when all have ended; a failed one is logged, not counted.
     */
    static void openLoop(double rate, int tasks, ClientLoop request) throws Exception {
        ConcurrentLinkedQueue<KeepAliveConnection> idle = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicInteger issued = new AtomicInteger();
        clock.scheduleAtFixedRate(() -> {
            if (issued.getAndIncrement() < tasks) {
                pool.execute(() -> {
                    try {
                        KeepAliveConnection connection = idle.poll();
                        if (connection == null) {
                            connection = new KeepAliveConnection(BenchCluster.GATEWAY_PORT);
                        }
                        request.run(connection);
                        idle.add(connection);
                    } catch (Exception e) {
                        Log.line("open loop: " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
        }, 0, (long) (1e9 / rate), TimeUnit.NANOSECONDS);
        done.await(5, TimeUnit.MINUTES);
        clock.shutdownNow();
        pool.shutdown();
        for (KeepAliveConnection connection : idle) {
            connection.close();
        }
    }

    /** POST a no-op task, then long-poll it until it has finished: the microseconds in between. */
    static long submitAndWait(KeepAliveConnection connection) throws IOException {
        return submitAndTrace(connection).totalMicros();
    }

    /** The id of the task a 202 answer created; anything else fails the run. */
    private static String acceptedId(KeepAliveConnection.Answer posted, String request) throws IOException {
        String id = posted.status() == 202 ? GatewayClient.field(posted.body(), "id") : null;
        if (id == null) {
            throw new IOException(request + " answered " + posted.status() + ": " + posted.body());
        }
        return id;
    }

    /** Long-polls task {@code id} until it has finished: the microseconds since {@code start}. */
    private static long awaitFinished(KeepAliveConnection connection, String id, long start) throws IOException {
        waitForEnd(connection, id);
        return (System.nanoTime() - start) / 1000; // microseconds
    }

    /** The finished task as the last long-poll answered it. */
    private static String waitForEnd(KeepAliveConnection connection, String id) throws IOException {
        while (true) {
            KeepAliveConnection.Answer answer = connection.get("/tasks/" + id + "?waitSeconds=30");
            if (answer.status() != 200) {
                throw new IOException("GET /tasks/" + id + " answered " + answer.status() + ": " + answer.body());
            }
            if (isFinished(answer.body())) {
                return answer.body();
            }
        }
    }

    /**
     * One task of {@link #submitAndWait}, with what tells where its time went: when it was sent (wall clock), how long
     * the POST took, the whole, and the finished task (its submittedAt, startedAt, finishedAt, by the services' clocks
     * on this same machine).
     */
    record Trace(long sentAtMillis, long postMicros, long totalMicros, String task) {
    }

    static Trace submitAndTrace(KeepAliveConnection connection) throws IOException {
        long sentAt = System.currentTimeMillis();
        long start = System.nanoTime();
        KeepAliveConnection.Answer posted = connection.postJson("/tasks", NOOP_TASK);
        long postMicros = (System.nanoTime() - start) / 1000;
        String task = waitForEnd(connection, acceptedId(posted, "POST /tasks"));
        return new Trace(sentAt, postMicros, (System.nanoTime() - start) / 1000, task);
    }

    /**
     * POST a no-op task that waits for its end ({@code POST /tasks?waitSeconds=30}: one request), long-polling it
     * should the wait be over first: the microseconds in between.
     */
    static long submitWaiting(KeepAliveConnection connection) throws IOException {
        long start = System.nanoTime();
        KeepAliveConnection.Answer posted = connection.postJson("/tasks?waitSeconds=30", NOOP_TASK);
        if (posted.status() == 200 && isFinished(posted.body())) {
            return (System.nanoTime() - start) / 1000;
        }
        return awaitFinished(connection, acceptedId(posted, "POST /tasks?waitSeconds=30"), start);
    }

    /** done or failed: a no-op task has no other way to end. */
    static boolean isFinished(String taskJson) {
        String state = GatewayClient.field(taskJson, "state");
        return "done".equals(state) || "failed".equals(state);
    }
}
