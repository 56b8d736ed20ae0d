package io.zootask.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The ends of tasks as one {@code GET /events?endsOnly=true} stream tells them: what a client that submitted batches
 * waits on, one connection for all its tasks instead of a request per task (and, ends only, no event or read for
 * the changes in between). Reads the stream's lines as they come, with no thread
 * of its own.
 *
 * <p>A batch's ids are known only once its POST is answered, and a no-op task may end before that: an end nobody
 * waits for yet is kept until a batch claims it (claims and ends meet whichever comes first). A {@code reset} (the
 * gateway's view was interrupted) means ends may have gone untold: the waits fail, and their callers fall back to
 * asking for each task.
 */
final class FinishedTasks implements Flow.Subscriber<String>, AutoCloseable {

    private static final java.util.regex.Pattern TERMINAL = java.util.regex.Pattern.compile(
            "\"state\":\"(done|failed|timed_out|cancelled)\"");

    /** Ends told before any batch claimed them; and the batches waiting, by the ids they wait for. */
    private final Map<String, String> untold = new ConcurrentHashMap<>();
    private final Map<String, Batch> waiting = new ConcurrentHashMap<>();
    private final CompletableFuture<HttpResponse<Void>> response;
    private volatile Flow.Subscription subscription;
    private volatile boolean reset;

    private FinishedTasks(HttpClient http, String base) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/events?endsOnly=true"))
                .header("Accept", "text/event-stream").GET().build();
        response = http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(this));
    }

    /** Follows the gateway's stream from now on; returns once the gateway counts it as a subscriber. */
    static FinishedTasks follow(GatewayClient gateway) throws Exception {
        double before = gateway.metric("zootask_gateway_events_subscribers");
        FinishedTasks stream = new FinishedTasks(HttpClient.newHttpClient(), gateway.base());
        Await.until(() -> gateway.metric("zootask_gateway_events_subscribers") > before, Duration.ofSeconds(30));
        return stream;
    }

    /**
     * Waits until every one of {@code ids} has ended, at most {@code timeout}; the ids not seen ending (all of them
     * if the stream was reset meanwhile) are left in the returned set, for the caller to ask about. A no-op task
     * that ended otherwise than done fails the wait.
     */
    Set<String> awaitEnds(Collection<String> ids, Duration timeout) throws InterruptedException {
        if (reset) { // the stream is over, or may have missed ends: ask about each at once
            return Set.copyOf(ids);
        }
        Batch batch = new Batch(ids);
        for (String id : ids) {
            waiting.put(id, batch);
            String state = untold.remove(id);
            if (state != null) {
                batch.ended(id, state);
            }
        }
        boolean all = batch.latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        waiting.keySet().removeAll(ids);
        batch.done.forEach((id, state) -> {
            if (!"done".equals(state)) {
                throw new IllegalStateException("task " + id + " ended " + state);
            }
        });
        if (!all || reset) {
            Set<String> unconfirmed = ConcurrentHashMap.newKeySet();
            unconfirmed.addAll(ids);
            unconfirmed.removeAll(batch.done.keySet());
            return unconfirmed;
        }
        return Set.of();
    }

    /** Forgets the ends no batch claimed (tasks of other phases), between rounds. */
    void forgetUnclaimed() {
        untold.clear();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (line.startsWith("event: reset")) {
            reset = true;
            waiting.values().forEach(batch -> batch.latch.countDown());
            return;
        }
        // only ends matter, and most lines are not: look before parsing
        if (!line.startsWith("data: ") || !TERMINAL.matcher(line).find()) {
            return;
        }
        String json = line.substring("data: ".length());
        String id = GatewayClient.field(json, "id");
        String state = GatewayClient.field(json, "state");
        if (id == null) {
            return;
        }
        untold.put(id, state);
        Batch batch = waiting.get(id);
        if (batch != null && untold.remove(id) != null) {
            batch.ended(id, state);
        }
    }

    @Override
    public void onError(Throwable failure) {
        reset = true;
        waiting.values().forEach(batch -> batch.latch.countDown());
    }

    @Override
    public void onComplete() {
        onError(null);
    }

    @Override
    public void close() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        response.cancel(true);
    }

    /** One batch's wait: done when each of its tasks was told once. */
    private static final class Batch {
        final Map<String, String> done = new ConcurrentHashMap<>();
        final CountDownLatch latch;

        Batch(Collection<String> ids) {
            latch = new CountDownLatch(ids.size());
        }

        void ended(String id, String state) {
            if (done.putIfAbsent(id, state) == null) {
                latch.countDown();
            }
        }
    }
}
