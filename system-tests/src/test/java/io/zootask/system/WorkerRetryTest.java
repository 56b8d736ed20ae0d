package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A worker puts a task whose execution failed back in the queue when its retry policy says so, as its next attempt
 * and not before the policy's pause; the task keeps its id, and its final status carries every execution. Tasks are
 * written straight into {@code /tasks} as a foreign client would.
 */
@Timeout(120)
class WorkerRetryTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
        cluster.master("m1");
        cluster.worker("wr", 2);
        await().atMost(seconds(20)).until(() -> Znodes.exists(zk, "/master") && Znodes.exists(zk, "/workers/wr-1"));
    }

    private JsonNode awaitStatus(String id) {
        return await().atMost(seconds(60)).until(() -> Znodes.json(zk, "/status/" + id), java.util.Optional::isPresent)
                .orElseThrow();
    }

    @Test
    void aFailingTaskWithAPolicyRunsUntilItsAttemptsAreSpentWithGrowingPauses() throws Exception {
        String id = "task-0000000501";
        Znodes.create(zk, "/tasks/" + id,
                "{\"command\":[\"false\"],\"retry\":{\"maxAttempts\":3,\"initialIntervalSeconds\":1}}");

        JsonNode status = awaitStatus(id);

        assertThat(status.get("state").asString()).isEqualTo("failed");
        assertThat(status.get("attempt").asInt()).isEqualTo(3);
        JsonNode attempts = status.get("attempts");
        assertThat(attempts).hasSize(3);
        for (int k = 0; k < 3; k++) {
            assertThat(attempts.get(k).get("attempt").asInt()).isEqualTo(k + 1);
            assertThat(attempts.get(k).get("state").asString()).isEqualTo("failed");
            assertThat(attempts.get(k).get("exitCode").asInt()).isEqualTo(1);
            assertThat(attempts.get(k).get("worker").asString()).isEqualTo("wr-1");
        }
        // attempt k+1 starts no earlier than initial x 2^(k-1) after attempt k ended: 1 s, then 2 s
        assertThat(pause(attempts, 0)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(pause(attempts, 1)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(Znodes.exists(zk, "/tasks/" + id)).isFalse();
        assertThat(Znodes.children(zk, "/assign/wr-1")).isEmpty();
    }

    @Test
    void aFailingTaskWithoutAPolicyFailsAtOnce() throws Exception {
        String id = "task-0000000502";
        Znodes.create(zk, "/tasks/" + id, "{\"command\":[\"false\"]}");

        JsonNode status = awaitStatus(id);

        assertThat(status.get("state").asString()).isEqualTo("failed");
        assertThat(status.get("attempt").asInt()).isEqualTo(1);
        assertThat(status.get("attempts")).hasSize(1);
        assertThat(status.get("attempts").get(0).get("exitCode").asInt()).isEqualTo(1);
    }

    @Test
    void aCancelledTaskIsNeverRetried() throws Exception {
        String id = "task-0000000503";
        Znodes.create(zk, "/tasks/" + id, "{\"command\":[\"sleep\",\"36\"],"
                + "\"retry\":{\"maxAttempts\":3,\"initialIntervalSeconds\":0}}");
        await().atMost(seconds(20)).until(() -> Znodes.taskProcess("sleep 36").isPresent());

        Znodes.create(zk, "/cancel/" + id, "");

        JsonNode status = awaitStatus(id);
        assertThat(status.get("state").asString()).isEqualTo("cancelled");
        assertThat(status.get("attempt").asInt()).isEqualTo(1);
        assertThat(status.get("attempts")).hasSize(1);
        assertThat(Znodes.exists(zk, "/tasks/" + id)).isFalse();
        assertThat(Znodes.taskProcess("sleep 36")).isEmpty();
    }

    /** From the end of attempt {@code k} (0-based) to the start of the next one. */
    private static Duration pause(JsonNode attempts, int k) {
        return Duration.between(Instant.parse(attempts.get(k).get("finishedAt").asString()),
                Instant.parse(attempts.get(k + 1).get("startedAt").asString()));
    }
}
