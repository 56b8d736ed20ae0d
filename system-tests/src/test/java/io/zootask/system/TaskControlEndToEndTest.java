package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Cancel, retry, delay, priority and routing as a user meets them: over HTTP, on a whole cluster (gateway, masters,
 * workers with labels), each decision carried out by whichever component holds the task.
 */
@Timeout(180)
class TaskControlEndToEndTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gateway();
        zk = cluster.plainClient();
    }

    private ConfigurableApplicationContext leader(String name) {
        ConfigurableApplicationContext master = cluster.master(name);
        await().atMost(seconds(20)).until(() -> name.equals(ZootaskCluster.activeMaster(zk)));
        return master;
    }

    @Test
    void aRunningTaskCancelledOverHttpEndsCancelledAtOnceAndItsProcessDies() throws Exception {
        leader("m1");
        cluster.worker("w", 2);
        String id = gateway.submit("{\"command\":[\"sleep\",\"60\"]}");
        await().atMost(seconds(20)).until(() -> "running".equals(gateway.task(id).get("state").asString()));
        Optional<ProcessHandle> sleep = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 60")).findFirst();
        assertThat(sleep).isPresent();

        long asked = System.nanoTime();
        Gateway.Reply reply = gateway.delete("/tasks/" + id);
        assertThat(reply.status()).isEqualTo(202);
        JsonNode cancelled = gateway.awaitFinished(id, seconds(10));
        // at once, not when the sleep ends; how fast is the benchmark's to say (cancel_p99_ms)
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(10));
        assertThat(cancelled.get("state").asString()).isEqualTo("cancelled");
        await().atMost(seconds(5)).until(() -> !sleep.get().isAlive());
        assertThat(gateway.delete("/tasks/" + id).status()).isEqualTo(200);
    }

    @Test
    void aQueuedTaskCancelledOverHttpNeverRuns() throws Exception {
        leader("m1");
        cluster.worker("w", 1, "zootask.worker.labels.pool=cpu");
        String id = gateway.submit("{\"command\":[\"echo\",\"never\"],\"requires\":{\"pool\":\"gpu\"}}");
        JsonNode waiting = gateway.task(id);
        assertThat(waiting.get("state").asString()).isEqualTo("queued");
        assertThat(waiting.get("message").asString()).contains("pool=gpu");

        assertThat(gateway.delete("/tasks/" + id).status()).isEqualTo(202);
        JsonNode cancelled = gateway.awaitFinished(id, seconds(10));
        assertThat(cancelled.get("state").asString()).isEqualTo("cancelled");
        assertThat(cancelled.has("exitCode")).isFalse();
    }

    @Test
    void aTaskRequiringALabelRunsOnTheWorkerThatHasItAsSoonAsOneRegisters() throws Exception {
        leader("m1");
        cluster.worker("plain", 2);
        String id = gateway.submit("{\"command\":[\"echo\",\"gpu\"],\"requires\":{\"pool\":\"gpu\"}}");
        String anywhere = gateway.submit("{\"command\":[\"echo\",\"anywhere\"]}");
        assertThat(gateway.awaitFinished(anywhere, seconds(20)).get("worker").asString()).startsWith("plain-");
        assertThat(gateway.task(id).get("state").asString()).isEqualTo("queued");

        cluster.worker("gpu", 1, "zootask.worker.labels.pool=gpu");
        JsonNode done = gateway.awaitFinished(id, seconds(20));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("worker").asString()).startsWith("gpu-");
        JsonNode workers = gateway.get("/cluster").json().get("workers");
        List<String> labelled = new ArrayList<>();
        workers.forEach(w -> {
            if (w.has("labels") && "gpu".equals(w.get("labels").path("pool").asString())) {
                labelled.add(w.get("id").asString());
            }
        });
        assertThat(labelled).hasSize(1);
    }

    @Test
    void aFlakyTaskIsRetriedWithBackoffAcrossAMasterFailoverAndALongPollWaitsForTheEnd() throws Exception {
        ConfigurableApplicationContext first = leader("m1");
        cluster.master("m2"); // a standby
        cluster.worker("w", 2);
        String id = gateway.submit("{\"command\":[\"false\"],\"retry\":{\"maxAttempts\":3,"
                + "\"initialIntervalSeconds\":1,\"backoffCoefficient\":2.0}}");
        await().atMost(seconds(20)).until(() -> gateway.task(id).path("attempt").asInt() >= 2);
        first.close(); // the retries go on under the next master

        Gateway.Reply waited = gateway.get("/tasks/" + id + "?waitSeconds=30");
        JsonNode task = waited.json();
        assertThat(task.get("state").asString()).isEqualTo("failed");
        assertThat(task.get("attempt").asInt()).isEqualTo(3);
        JsonNode attempts = task.get("attempts");
        assertThat(attempts).hasSize(3);
        Instant firstEnded = Instant.parse(attempts.get(0).get("finishedAt").asString());
        Instant secondStarted = Instant.parse(attempts.get(1).get("startedAt").asString());
        Instant secondEnded = Instant.parse(attempts.get(1).get("finishedAt").asString());
        Instant thirdStarted = Instant.parse(attempts.get(2).get("startedAt").asString());
        assertThat(Duration.between(firstEnded, secondStarted)).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        assertThat(Duration.between(secondEnded, thirdStarted)).isGreaterThanOrEqualTo(Duration.ofMillis(1990));
        assertThat(attempts.get(2).get("exitCode").asInt()).isEqualTo(1);
    }

    @Test
    void aDelayedTaskStaysQueuedWithItsNotBeforeUntilItsTime() throws Exception {
        leader("m1");
        cluster.worker("w", 2);
        Instant submitted = Instant.now();
        String id = gateway.submit("{\"command\":[\"echo\",\"later\"],\"delaySeconds\":3}");
        JsonNode waiting = gateway.task(id);
        assertThat(waiting.get("state").asString()).isEqualTo("queued");
        Instant notBefore = Instant.parse(waiting.get("notBefore").asString());
        assertThat(notBefore).isAfterOrEqualTo(submitted.plusSeconds(3).minusMillis(50));

        JsonNode done = gateway.awaitFinished(id, seconds(20));
        assertThat(Instant.parse(done.get("startedAt").asString())).isAfterOrEqualTo(notBefore);
    }
}
