package io.zootask.system;

import static io.zootask.system.Gateway.assertProblem;
import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /tasks} with a JSON array: every task created in one transaction or none, answered in order, and an
 * Idempotency-Key that covers the whole batch, also when the reply is lost.
 */
@Timeout(180)
class BatchSubmissionTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
    }

    @Test
    void aBatchOfThreeRunsAllThreeAndIsAnsweredInOrder() throws Exception {
        cluster.master("m");
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        Gateway.Reply reply = gateway.postJson("[{\"command\":[\"echo\",\"one\"]},"
                + "{\"command\":[\"echo\",\"two\"],\"priority\":9},{\"command\":[\"echo\",\"three\"]}]");

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.contentType()).startsWith("application/json");
        List<String> ids = ids(reply.json());
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(reply.json().get(1).get("state").asString()).isEqualTo("queued");
        assertThat(reply.json().get(1).get("priority").asInt()).isEqualTo(9);
        List<String> outputs = new ArrayList<>();
        for (String id : ids) {
            JsonNode finished = gateway.awaitFinished(id, seconds(30));
            assertThat(finished.get("state").asString()).isEqualTo("done");
            outputs.add(finished.get("output").asString());
        }
        assertThat(outputs).containsExactly("one\n", "two\n", "three\n");
    }

    @Test
    void aBadTaskIsNamedByItsIndexAndNothingIsCreated() throws Exception {
        Gateway gateway = cluster.gateway(); // no master: whatever were created would stay in /tasks
        String key = UUID.randomUUID().toString();
        JsonNode problem = assertProblem(gateway.postJson("[{\"command\":[\"echo\",\"a\"]},"
                + "{\"command\":[\"echo\",\"b\"]},{\"command\":[\"echo\",\"c\"],\"priority\":12}]", key), 400, "[2]");
        assertThat(problem.get("detail").asString()).contains("priority must be between 0 and 9");
        assertProblem(gateway.postJson("[{\"command\":[\"echo\"]},{\"command\":[\"echo\"],\"timeoutSeconds\":\"5\"}]"),
                400, "[1]: timeoutSeconds must be a whole number");
        assertProblem(gateway.postJson("[{\"command\":[\"echo\"]},\"echo hi\"]"), 400, "[1]: each task must be a JSON"
                + " object");
        assertProblem(gateway.postJson("[]"), 400, "the batch is empty");

        assertThat(zk.getChildren("/tasks", false)).isEmpty();
        assertThat(zk.getChildren("/idempotency", false)).isEmpty();
        // the key was not spent: the corrected batch is accepted with it
        assertThat(gateway.postJson("[{\"command\":[\"echo\",\"a\"]}]", key).status()).isEqualTo(202);
    }

    @Test
    void moreThanAThousandTasksAre400AndNothingIsCreated() throws Exception {
        Gateway gateway = cluster.gateway();
        assertProblem(gateway.postJson(batchOf(1001, "")), 400, "at most 1000 tasks");
        assertThat(zk.getChildren("/tasks", false)).isEmpty();
    }

    @Test
    void theSameKeyReturnsTheSameTasksAndAnotherBatchWithItIs422() throws Exception {
        Gateway gateway = cluster.gateway();
        String key = UUID.randomUUID().toString();
        String batch = "[{\"command\":[\"echo\",\"1\"]},{\"command\":[\"echo\",\"2\"]}]";
        Gateway.Reply first = gateway.postJson(batch, key);
        Gateway.Reply again = gateway.postJson(batch, key);

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        assertThat(ids(again.json())).isEqualTo(ids(first.json()));
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(zk.getChildren("/tasks", false)).containsExactlyInAnyOrderElementsOf(ids(first.json()));
        assertThat(zk.getChildren("/idempotency", false)).hasSize(1);

        assertProblem(gateway.postJson("[{\"command\":[\"echo\",\"2\"]},{\"command\":[\"echo\",\"1\"]}]", key), 422,
                "different request");
        assertProblem(gateway.postJson("{\"command\":[\"echo\",\"1\"]}", key), 422, "different request");
        assertThat(zk.getChildren("/tasks", false)).hasSize(2);
    }

    @Test
    void aThousandTasksOverTheSingleBodyLimitAreAcceptedAndAllFinish() throws Exception {
        cluster.master("m");
        cluster.worker("w", 64);
        Gateway gateway = cluster.gateway();
        String body = batchOf(1000, "x".repeat(80)); // ~110 KB: over the 64 KB of one task, within a batch's 512 KB
        assertThat(body.length()).isGreaterThan(64 * 1024);

        Gateway.Reply reply = gateway.postJson(body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        List<String> ids = ids(reply.json());
        assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
        await().atMost(seconds(90)).until(() -> zk.getChildren("/status", false).containsAll(ids));
        for (int i = 0; i < ids.size(); i++) {
            JsonNode task = gateway.task(ids.get(i));
            assertThat(task.get("state").asString()).isEqualTo("done");
            assertThat(task.get("command").get(1).asString()).isEqualTo(i + "x".repeat(80)); // in order
        }
    }

    @Test
    void aBatchTooLargeForOneTransactionIs413AndNothingIsCreated() throws Exception {
        Gateway gateway = cluster.gateway("zootask.gateway.max-batch-body-size=4MB");
        String body = batchOf(1000, "y".repeat(1100)); // ~1.1 MB of tasks: more than one ZooKeeper request holds

        assertProblem(gateway.postJson(body), 413, "split it into smaller batches");

        assertThat(zk.getChildren("/tasks", false)).isEmpty();
        assertThat(gateway.postJson(batchOf(3, "")).status()).isEqualTo(202); // and the connection is fine
    }

    @Test
    void aSingleTaskKeepsItsOwnBodyLimit() {
        Gateway gateway = cluster.gateway();
        assertProblem(gateway.postJson("{\"command\":[\"echo\",\"" + "a".repeat(70_000) + "\"]}"), 413,
                "larger than the limit of 65536 bytes");
        assertProblem(gateway.postJson("[{\"command\":[\"echo\",\"" + "a".repeat(600_000) + "\"]}]"), 413,
                "larger than the limit");
    }

    @Test
    void theQueueBoundCountsTheWholeBatch() throws Exception {
        Gateway gateway = cluster.gateway("zootask.gateway.max-queued=3");
        Gateway.Reply refused = gateway.postJson(batchOf(4, ""));
        assertProblem(refused, 429, "limit is 3");
        assertThat(zk.getChildren("/tasks", false)).isEmpty();
        assertThat(gateway.postJson(batchOf(3, "")).status()).isEqualTo(202);
    }

    @Test
    void aLostReplyWithAKeyReturnsTheSameTasks() throws Exception {
        try (TcpProxy proxy = new TcpProxy(cluster.connectString())) {
            Gateway gateway = cluster.gateway("zootask.zookeeper.connect-string=" + proxy.address());
            await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200
                    && zk.exists("/idempotency", false) != null);
            String key = UUID.randomUUID().toString();
            String batch = batchOf(3, "reply lost");
            proxy.dropResponses();
            CompletableFuture<Gateway.Reply> reply = CompletableFuture.supplyAsync(() -> gateway.postJson(batch, key));
            await().atMost(seconds(10)).until(() -> zk.getChildren("/tasks", false).size() == 3);
            proxy.heal();

            Gateway.Reply accepted = reply.get();
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            List<String> ids = ids(accepted.json());
            assertThat(zk.getChildren("/tasks", false)).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(ids(gateway.postJson(batch, key).json())).isEqualTo(ids);
            assertThat(zk.getChildren("/tasks", false)).hasSize(3);
        }
    }

    @Test
    void aLostReplyWithoutAKeyCreatesNoSecondBatch() throws Exception {
        try (TcpProxy proxy = new TcpProxy(cluster.connectString())) {
            Gateway gateway = cluster.gateway("zootask.zookeeper.connect-string=" + proxy.address());
            await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200
                    && zk.exists("/tasks", false) != null);
            proxy.dropResponses();
            CompletableFuture<Gateway.Reply> reply = CompletableFuture.supplyAsync(
                    () -> gateway.postJson(batchOf(3, "reply lost")));
            await().atMost(seconds(10)).until(() -> zk.getChildren("/tasks", false).size() == 3);
            proxy.heal();

            Gateway.Reply accepted = reply.get();
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            List<String> ids = ids(accepted.json());
            assertThat(ids).hasSize(3);
            assertThat(zk.getChildren("/tasks", false)).containsExactlyInAnyOrderElementsOf(ids);
            for (int i = 0; i < 3; i++) {
                assertThat(new String(zk.getData("/tasks/" + ids.get(i), false, null))).contains(i + "reply lost");
            }
        }
    }

    @Test
    void theOpenApiDocumentShowsABatchWhoseExampleRunsAsIs() {
        cluster.master("m");
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        JsonNode api = gateway.get("/v3/api-docs").json();
        JsonNode json = api.get("paths").get("/tasks").get("post").get("requestBody").get("content")
                .get("application/json");
        List<String> forms = new ArrayList<>();
        for (JsonNode form : json.get("schema").get("oneOf")) {
            String ref = form.get("$ref").asString();
            forms.add(api.get("components").get("schemas").get(ref.substring(ref.lastIndexOf('/') + 1)).toString());
        }
        assertThat(forms).anySatisfy(form -> assertThat(form).contains("\"type\":\"object\"", "command"))
                .anySatisfy(form -> assertThat(form).contains("\"type\":\"array\"", "SubmitTaskRequest"));
        String example = json.get("examples").get("a batch").get("value").toString();

        Gateway.Reply reply = gateway.postJson(example.startsWith("\"") ? Gateway.JSON.readTree(example).asString()
                : example);

        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        List<String> ids = ids(reply.json());
        assertThat(ids).hasSize(3);
        ids.forEach(id -> assertThat(gateway.awaitFinished(id, seconds(30)).get("state").asString()).isEqualTo("done"));
    }

    /** {@code n} no-op tasks, the {@code i}-th carrying the argument {@code i + suffix}. */
    private static String batchOf(int n, String suffix) {
        return IntStream.range(0, n).mapToObj(i -> "{\"command\":[\"zootask:noop\",\"" + i + suffix + "\"]}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static List<String> ids(JsonNode tasks) {
        assertThat(tasks.isArray()).as(tasks.toString()).isTrue();
        List<String> ids = new ArrayList<>();
        tasks.forEach(task -> ids.add(task.get("id").asString()));
        return ids;
    }
}
