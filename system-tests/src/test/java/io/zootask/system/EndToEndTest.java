package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static io.zootask.system.Gateway.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zootask.protocol.ZNodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Through HTTP, with a real master and two real workers (2 slots each) on a real ZooKeeper. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class EndToEndTest {

    @RegisterExtension
    static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private ConfigurableApplicationContext master;
    private ConfigurableApplicationContext worker;
    private ZooKeeper zk;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = zootask.cluster();
        master = cluster.master("m1");
        worker = cluster.worker("wa", 2);
        cluster.worker("wb", 2);
        gateway = cluster.gateway();
        zk = cluster.plainClient();
        await().atMost(seconds(30)).until(() -> gateway.get("/cluster").json().get("workers").size() == 2);
    }

    @BeforeEach
    void awaitIdle() {
        await().atMost(seconds(60)).until(() -> {
            JsonNode view = gateway.get("/cluster").json();
            if (view.get("queueDepth").asInt() != 0) {
                return false;
            }
            for (JsonNode w : view.get("workers")) {
                if (w.get("assigned").asInt() != 0) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void echoHelloRunsAndTheLongPollReturnsItsOutput() {
        Gateway.Reply accepted = gateway.postJson("{\"command\":[\"echo\",\"hello\"]}");
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("id").asString();
        assertThat(id).matches("task-\\d{10}");
        assertThat(accepted.location()).isEqualTo("/tasks/" + id);
        assertThat(accepted.json().get("state").asString()).isEqualTo("queued");

        JsonNode done = gateway.get("/tasks/" + id + "?waitSeconds=30").json();
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("output").asString()).isEqualTo("hello\n");
        assertThat(done.get("exitCode").asInt()).isZero();
        assertThat(done.get("worker").asString()).startsWith("w");
        assertThat(done.get("attempt").asInt()).isEqualTo(1);
        assertThat(done.get("command").toString()).isEqualTo("[\"echo\",\"hello\"]");
        assertThat(done.has("startedAt") && done.has("finishedAt") && done.has("submittedAt")).isTrue();
    }

    @Test
    void aPostThatWaitsAnswersWithTheFinishedTaskInOneRequest() {
        Gateway.Reply done = gateway.post("/tasks?waitSeconds=30", "application/json",
                "{\"command\":[\"echo\",\"at once\"]}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        String id = done.json().get("id").asString();
        assertThat(done.location()).isEqualTo("/tasks/" + id);
        assertThat(done.json().get("state").asString()).isEqualTo("done");
        assertThat(done.json().get("output").asString()).isEqualTo("at once\n");
        assertThat(gateway.task(id).get("state").asString()).isEqualTo("done");

        Gateway.Reply text = gateway.post("/tasks?waitSeconds=30", "text/plain", "echo plain");
        assertThat(text.status()).as(text.body()).isEqualTo(200);
        assertThat(text.json().get("output").asString()).isEqualTo("plain\n");
    }

    @Test
    void aPostWhoseTaskOutlastsTheWaitAnswers202WithTheTaskAsItIsThen() {
        long start = System.nanoTime();
        Gateway.Reply pending = gateway.post("/tasks?waitSeconds=1", "application/json",
                "{\"command\":[\"sleep\",\"20\"]}");
        assertThat(pending.status()).as(pending.body()).isEqualTo(202);
        assertThat((System.nanoTime() - start) / 1_000_000).as("waited for the second asked").isGreaterThanOrEqualTo(900);
        String id = pending.json().get("id").asString();
        assertThat(pending.location()).isEqualTo("/tasks/" + id);
        assertThat(pending.json().get("state").asString()).isIn("queued", "assigned", "running");
        assertThat(gateway.delete("/tasks/" + id).status()).isEqualTo(202);
        gateway.awaitFinished(id, seconds(30));
    }

    @Test
    void aRepeatedPostThatWaitsGetsTheSameTaskFinished() {
        String key = "wait-" + System.nanoTime();
        Gateway.Reply first = postWaiting("{\"command\":[\"echo\",\"once\"]}", key);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.header("Idempotent-Replayed")).isNull();

        Gateway.Reply again = postWaiting("{\"command\":[\"echo\",\"once\"]}", key);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(again.json().get("state").asString()).isEqualTo("done");
        assertThat(again.json().get("output").asString()).isEqualTo("once\n");
    }

    private Gateway.Reply postWaiting(String json, String idempotencyKey) {
        return gateway.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(gateway.base() + "/tasks?waitSeconds=30"))
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void aWaitOnABatchOrOutOfRangeIsRefusedAndWritesNothing() throws Exception {
        int before = zk.getAllChildrenNumber(ZNodes.TASKS) + zk.getAllChildrenNumber(ZNodes.STATUS);
        assertProblem(gateway.post("/tasks?waitSeconds=10", "application/json",
                "[{\"command\":[\"echo\",\"a\"]},{\"command\":[\"echo\",\"b\"]}]"), 400, "waitSeconds");
        assertProblem(gateway.post("/tasks?waitSeconds=61", "application/json",
                "{\"command\":[\"echo\",\"a\"]}"), 400, "waitSeconds must be between 0 and 60");
        assertProblem(gateway.post("/tasks?waitSeconds=-1", "text/plain", "echo a"), 400, "waitSeconds");
        assertThat(zk.getAllChildrenNumber(ZNodes.TASKS) + zk.getAllChildrenNumber(ZNodes.STATUS)).isEqualTo(before);
    }

    @Test
    void aPlainTextBodyIsACommandLine() {
        Gateway.Reply accepted = gateway.post("/tasks", "text/plain", "echo plain text");
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode done = gateway.awaitFinished(accepted.json().get("id").asString(), seconds(30));
        assertThat(done.get("output").asString()).isEqualTo("plain text\n");
    }

    @Test
    void theLongPollAnswersWithTheCurrentStateWhenTheWaitIsOver() {
        String id = gateway.submit("{\"command\":[\"sleep\",\"4\"]}");
        long start = System.nanoTime();
        JsonNode early = gateway.get("/tasks/" + id + "?waitSeconds=1").json();
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(early.get("state").asString()).isIn("queued", "assigned", "running");
        assertThat(waitedMillis).isGreaterThanOrEqualTo(900);
        await().atMost(seconds(10)).until(() -> gateway.task(id).get("state").asString().equals("running"));
        JsonNode running = gateway.task(id);
        assertThat(running.get("worker").asString()).isNotBlank();
        assertThat(running.has("startedAt")).isTrue();
        assertThat(gateway.awaitFinished(id, seconds(30)).get("state").asString()).isEqualTo("done");
    }

    @Test
    void tasksSpreadOverWorkersByFreeSlotsAndTheRestWaitQueued() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(gateway.submit("{\"command\":[\"sleep\",\"3\"]}"));
        }
        // 2 workers x 2 slots: four run at once, two on each worker; the fifth waits in the queue.
        await().atMost(seconds(20)).until(() -> {
            JsonNode view = gateway.get("/cluster").json();
            int running = 0;
            for (JsonNode w : view.get("workers")) {
                if (w.get("running").size() != 2) {
                    return false;
                }
                running += w.get("running").size();
            }
            return running == 4 && view.get("queueDepth").asInt() == 1;
        });
        assertThat(gateway.task(ids.get(4)).get("state").asString()).isEqualTo("queued");
        Map<String, Integer> perWorker = new HashMap<>();
        for (String id : ids.subList(0, 4)) {
            JsonNode done = gateway.awaitFinished(id, seconds(30));
            assertThat(done.get("state").asString()).isEqualTo("done");
            perWorker.merge(done.get("worker").asString(), 1, Integer::sum);
        }
        assertThat(perWorker.values()).containsExactlyInAnyOrder(2, 2);
        assertThat(gateway.awaitFinished(ids.get(4), seconds(30)).get("state").asString()).isEqualTo("done");
    }

    @Test
    void anExecutableOffTheAllowlistFailsWithAReason() {
        String id = gateway.submit("{\"command\":[\"rm\",\"-rf\",\"/tmp/zootask-nothing\"]}");
        JsonNode failed = gateway.awaitFinished(id, seconds(30));
        assertThat(failed.get("state").asString()).isEqualTo("failed");
        assertThat(failed.get("message").asString()).contains("'rm' is not allowed");
        assertThat(failed.has("exitCode")).isFalse();
    }

    @Test
    void aTaskOverItsTimeoutIsKilledAndTimedOut() {
        String id = gateway.submit("{\"command\":[\"sleep\",\"3017\"],\"timeoutSeconds\":1}");
        JsonNode timedOut = gateway.awaitFinished(id, seconds(30));
        assertThat(timedOut.get("state").asString()).isEqualTo("timed_out");
        assertThat(timedOut.get("message").asString()).contains("timed out after 1s");
        await().atMost(seconds(10)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 3017")));
    }

    @Test
    void badInputGetsProblemDetailsAndWritesNothing() throws Exception {
        int cversionBefore = zk.exists(ZNodes.TASKS, false).getCversion();

        assertProblem(gateway.postJson("{\"command\":[\"echo\""), 400, "not valid");
        assertProblem(gateway.postJson("{}"), 400, "command is required");
        assertProblem(gateway.postJson("{\"command\":[]}"), 400, "command is required");
        assertProblem(gateway.postJson("{\"command\":[\"  \"]}"), 400, "must not be blank");
        assertProblem(gateway.postJson("{\"command\":\"echo hi\"}"), 400, "command must be an array of strings");
        assertProblem(gateway.postJson("{\"command\":[\"echo\"],\"timeoutSeconds\":0}"), 400, "timeoutSeconds");
        assertProblem(gateway.postJson("{\"command\":[" + "\"x\",".repeat(300) + "\"x\"]}"), 400, "arguments");
        assertProblem(gateway.postJson("{\"command\":[\"echo\",\"" + "a".repeat(70_000) + "\"]}"), 413,
                "larger than the limit");
        assertProblem(gateway.post("/tasks", "text/plain", "   "), 400, "command is required");
        assertProblem(gateway.get("/tasks/task-9999999999"), 404, "no task with id");
        assertProblem(gateway.get("/tasks/not%20a%20task"), 404, "no task with id");
        assertProblem(gateway.get("/tasks?limit=0"), 400, "limit");
        assertProblem(gateway.get("/tasks?state=sleeping"), 400, "unknown state");
        String id = gateway.submit("{\"command\":[\"true\"]}");
        assertProblem(gateway.get("/tasks/" + id + "?waitSeconds=61"), 400, "waitSeconds");
        for (Gateway.Reply reply : List.of(gateway.postJson("{\"command\":[\"echo\""), gateway.postJson("{}"))) {
            assertThat(reply.body()).doesNotContain("Exception").doesNotContain("at io.").doesNotContain("tools.jackson");
        }

        // exactly one znode was created under /tasks: the valid task's
        assertThat(zk.exists(ZNodes.TASKS, false).getCversion()).isLessThanOrEqualTo(cversionBefore + 2);
        assertThat(zk.getChildren(ZNodes.TASKS, false)).allMatch(child -> child.equals(id));
    }

    @Test
    void listsTasksNewestFirstInPagesAndByState() {
        String failed = gateway.submit("{\"command\":[\"false\"]}");
        String first = gateway.submit("{\"command\":[\"true\"]}");
        String second = gateway.submit("{\"command\":[\"true\"]}");
        gateway.awaitFinished(failed, seconds(30));
        gateway.awaitFinished(first, seconds(30));
        gateway.awaitFinished(second, seconds(30));

        JsonNode page = gateway.get("/tasks?limit=2").json();
        assertThat(ids(page)).containsExactly(second, first);
        String cursor = page.get("nextCursor").asString();
        JsonNode next = gateway.get("/tasks?limit=2&cursor=" + cursor).json();
        assertThat(ids(next).get(0)).isEqualTo(failed);

        JsonNode failures = gateway.get("/tasks?state=failed&limit=500").json();
        assertThat(ids(failures)).contains(failed).doesNotContain(first, second);
        for (JsonNode item : failures.get("items")) {
            assertThat(item.get("state").asString()).isEqualTo("failed");
        }
    }

    @Test
    void openApiAndSwaggerUiAreServedWithWorkingExamples() {
        Gateway.Reply docs = gateway.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode api = docs.json();
        assertThat(api.get("paths").has("/tasks")).isTrue();
        assertThat(api.get("paths").has("/tasks/{id}")).isTrue();
        assertThat(api.get("paths").has("/cluster")).isTrue();
        String example = api.get("paths").get("/tasks").get("post").get("requestBody").get("content")
                .get("application/json").get("examples").get("echo").get("value").toString();
        // the documented example is accepted as-is
        String id = gateway.submit(example.startsWith("\"") ? Gateway.JSON.readTree(example).asString()
                : example);
        assertThat(gateway.awaitFinished(id, seconds(30)).get("output").asString()).isEqualTo("hello\n");

        Gateway.Reply ui = gateway.get("/swagger-ui.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger");
    }

    @Test
    void actuatorShowsHealthRoleSlotsAndMetrics() {
        JsonNode health = gateway.get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("zookeeper").get("status").asString()).isEqualTo("UP");
        assertThat(gateway.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(gateway.get("/actuator/health/readiness").status()).isEqualTo(200);

        String masterBase = "http://127.0.0.1:" + ZootaskCluster.port(master);
        String workerBase = "http://127.0.0.1:" + ZootaskCluster.port(worker);
        JsonNode masterInfo = get(masterBase + "/actuator/info").json();
        assertThat(masterInfo.get("master").get("role").asString()).isEqualTo("leader");
        JsonNode workerInfo = get(workerBase + "/actuator/info").json();
        assertThat(workerInfo.get("worker").get("slots").asInt()).isEqualTo(2);
        assertThat(workerInfo.get("worker").has("slotsUsed")).isTrue();

        gateway.awaitFinished(gateway.submit("{\"command\":[\"true\"]}"), seconds(30));
        assertThat(gateway.get("/actuator/prometheus").body()).contains("zootask_gateway_tasks_submitted_total");
        await().atMost(seconds(10)).untilAsserted(() ->
                assertThat(get(masterBase + "/actuator/prometheus").body())
                        .contains("zootask_master_tasks_assigned_total").contains("zootask_queue_depth"));
        // the task may have run on either worker; this one has at least its timer registered
        assertThat(get(workerBase + "/actuator/prometheus").body()).contains("zootask_worker_execution_seconds");
    }

    private Gateway.Reply get(String url) {
        return gateway.getAbsolute(url);
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

}
