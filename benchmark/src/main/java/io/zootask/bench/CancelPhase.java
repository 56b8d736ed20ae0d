package io.zootask.bench;

import io.zootask.protocol.ZNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Cancel latency: {@code DELETE /tasks/{id}} of tasks that are running (a {@code sleep} whose process tree the
 * worker kills) and of tasks still queued (requiring a label no worker has, which the master takes back), each timed
 * from the request to the moment a long-poll sees it {@code cancelled}. One cancel at a time, so each figure is a
 * cancel's own path, not a queue of them.
 */
final class CancelPhase implements Phase {

    private static final String RUNNING_TASK = "{\"command\":[\"sleep\",\"120\"],\"timeoutSeconds\":300}";
    private static final String QUEUED_TASK = "{\"command\":[\"zootask:noop\"],\"requires\":{\"pool\":\"none\"}}";

    private final BenchCluster cluster;
    private final GatewayClient gateway;
    private final BenchOptions options;

    CancelPhase(BenchCluster cluster, GatewayClient gateway, BenchOptions options) {
        this.cluster = cluster;
        this.gateway = gateway;
        this.options = options;
    }

    @Override
    public String title() {
        return "cancel latency: DELETE of running and of queued tasks, until a long-poll sees cancelled";
    }

    @Override
    public void run(Figures figures) throws Exception {
        int each = options.n(100);
        List<String> running = new ArrayList<>();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            running.add(gateway.submit(RUNNING_TASK));
            queued.add(gateway.submit(QUEUED_TASK));
        }
        Await.until(() -> running.stream().allMatch(id -> "running".equals(gateway.state(id))),
                Duration.ofMinutes(2));
        List<Long> micros = new ArrayList<>();
        List<String> all = new ArrayList<>(running);
        all.addAll(queued);
        int notCancelled = 0;
        for (String id : all) {
            long start = System.nanoTime();
            gateway.cancel(id);
            if (!"cancelled".equals(gateway.awaitState(id, "cancelled", Duration.ofSeconds(30)))) {
                notCancelled++;
            }
            micros.add((System.nanoTime() - start) / 1000);
        }
        Collections.sort(micros);
        figures.put("cancel_tasks", all.size());
        figures.put("cancel_not_cancelled", notCancelled);
        figures.put("cancel_p50_ms", EndToEndPhase.percentileMillis(micros, 50));
        figures.put("cancel_p99_ms", EndToEndPhase.percentileMillis(micros, 99));
        Await.until(cluster::drained, Duration.ofMinutes(1));
        Log.line(String.format("    cancel: p50 %.1f ms, p99 %.1f ms over %d tasks (%d not cancelled)",
                EndToEndPhase.percentileMillis(micros, 50), EndToEndPhase.percentileMillis(micros, 99), all.size(),
                notCancelled));
        if (cluster.children(ZNodes.CANCEL) > 0) {
            Log.line("    requests left in /cancel: " + cluster.children(ZNodes.CANCEL));
        }
    }
}
