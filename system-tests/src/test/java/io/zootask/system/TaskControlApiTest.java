package io.zootask.system;

import static io.zootask.system.Gateway.taskIds;
import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zootask.protocol.Attempt;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RetryPolicy;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * What the gateway itself guarantees of the task controls of issue 12, over HTTP on a real ZooKeeper: the submission
 * fields (retry, delaySeconds or notBefore, priority, requires) checked and stored, {@code DELETE /tasks/{id}}, the
 * fields and the waiting message of {@code GET /tasks/{id}}, the list filters, and the workers' labels in
 * {@code GET /cluster}. No master and no worker run: a task stays where the test puts it, and workers are registered
 * by hand, as a foreign client would.
 */
@Timeout(180)
class TaskControlApiTest {

    private static final String ALICE = TestKeys.ALICE;
    private static final String BOB = TestKeys.BOB;
    private static final String READER = TestKeys.READER;
    private static final String ADMIN = TestKeys.ADMIN;

    @RegisterExtension
    static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
    private static ZootaskCluster cluster;
    private static Gateway gateway;
    private static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gatewayAsShipped(TestKeys.allFour(
                "zootask.gateway.security.rate-limit.per-second=1000",
                "zootask.gateway.security.rate-limit.burst=1000")).withKey(ADMIN);
        zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/tasks", false) != null
                && zk.exists("/cancel", false) != null && zk.exists("/idempotency", false) != null);
    }

    // ---- submission -----------------------------------------------------------------------------------------------

    @Test
    void aBadLifecycleFieldIsA400NamingItAndWritesNothing() throws Exception {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("\"priority\":12", "priority must be between 0 and 9");
        refused.put("\"priority\":-1", "priority must be between 0 and 9");
        refused.put("\"priority\":\"5\"", "priority must be a whole number such as 7, not in quotes; it was a string");
        refused.put("\"priority\":5.5", "priority must be a whole number");
        refused.put("\"delaySeconds\":-1", "delaySeconds must be between 0 and 31536000");
        refused.put("\"delaySeconds\":31536001", "delaySeconds must be between 0 and 31536000");
        refused.put("\"delaySeconds\":\"10\"", "delaySeconds must be a whole number");
        refused.put("\"notBefore\":\"tomorrow\"", "notBefore must be an RFC 3339 instant");
        refused.put("\"notBefore\":\"2030-01-01T09:00:00\"", "notBefore must be an RFC 3339 instant with a time zone");
        refused.put("\"notBefore\":1893488400000", "notBefore must be an RFC 3339 instant in quotes");
        refused.put("\"notBefore\":\"2999-01-01T00:00:00Z\"", "notBefore must be within a year of now");
        refused.put("\"delaySeconds\":10,\"notBefore\":\"" + Instant.now().plusSeconds(60) + "\"",
                "delaySeconds and notBefore");
        refused.put("\"retry\":3", "retry must be an object");
        refused.put("\"retry\":{\"backoffCoefficient\":0.5}", "retry.backoffCoefficient must be at least 1");
        refused.put("\"retry\":{\"backoffCoefficient\":\"2\"}", "retry.backoffCoefficient must be a number");
        refused.put("\"retry\":{\"backoffCoefficient\":1e6}", "retry.backoffCoefficient must be between 1 and 100");
        refused.put("\"retry\":{\"backoffCoefficient\":1e400}", "retry.backoffCoefficient is out of range");
        refused.put("\"retry\":{\"maxAttempts\":0}", "retry.maxAttempts must be between 1 and 100");
        refused.put("\"retry\":{\"maxAttempts\":101}", "retry.maxAttempts must be between 1 and 100");
        refused.put("\"retry\":{\"maxAttempts\":2,\"maxAttempts\":3}", "retry.maxAttempts is given twice");
        refused.put("\"retry\":{\"initialIntervalSeconds\":-1}", "retry.initialIntervalSeconds must not be negative");
        refused.put("\"retry\":{\"initialIntervalSeconds\":31536001}",
                "retry.initialIntervalSeconds must be between 0 and 31536000");
        refused.put("\"retry\":{\"maximumIntervalSeconds\":1.5}", "retry.maximumIntervalSeconds must be a whole");
        refused.put("\"maxAttempts\":2,\"retry\":{\"maxAttempts\":3}", "maxAttempts and retry.maxAttempts differ");
        refused.put("\"requires\":{\"pool\":1}", "requires.pool must be a string such as \"gpu\"; it was a number");
        refused.put("\"requires\":{\"pool\":null}", "requires.pool must be a string");
        refused.put("\"requires\":{\"pool\":{\"a\":\"b\"}}", "requires.pool must be a string");
        refused.put("\"requires\":[\"gpu\"]", "requires must be an object of strings");
        refused.put("\"requires\":\"pool=gpu\"", "requires must be an object of strings");
        refused.put("\"requires\":{\"pool\":\" \"}", "requires.pool must not be blank");
        refused.put("\"requires\":{\"pool\":\"" + "g".repeat(256) + "\"}", "requires.pool is longer than 255");
        refused.put("\"requires\":{\"pool\":\"g\\u0001\"}", "requires.pool contains a control character");
        refused.put("\"requires\":{\"\":\"gpu\"}", "requires: a label name must be 1 to 63 letters");
        refused.put("\"requires\":{\"a b\":\"gpu\"}", "requires: a label name must be");
        refused.put("\"requires\":{\"pool\":\"gpu\",\"pool\":\"cpu\"}", "requires.pool is given twice");
        StringBuilder many = new StringBuilder("\"requires\":{");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"v\"");
        }
        refused.put(many.append('}').toString(), "requires has more than 16 labels");

        for (Map.Entry<String, String> bad : refused.entrySet()) {
            String body = "{\"command\":[\"echo\",\"x\"]," + bad.getKey() + "}";
            Gateway.assertProblem(rejectedWithoutWrites(() -> gateway.postJson(body)), 400, bad.getValue());
            Gateway.assertProblem(rejectedWithoutWrites(() -> gateway.postJson(body, UUID.randomUUID().toString())),
                    400, bad.getValue());
        }
    }

    @Test
    void theFieldsAreStoredInTheTaskAndShownByGet() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"fields\"],\"priority\":8,\"delaySeconds\":3600,"
                + "\"retry\":{\"maxAttempts\":4,\"initialIntervalSeconds\":2,\"backoffCoefficient\":1.5,"
                + "\"maximumIntervalSeconds\":30},\"requires\":{\"pool\":\"fields\",\"zone\":\"eu\"}}");
        TaskSpec stored = storedTask(id);
        assertThat(stored.priority()).isEqualTo(8);
        assertThat(stored.retry()).isEqualTo(new RetryPolicy(4, 2, 1.5, 30));
        assertThat(stored.requires()).isEqualTo(Map.of("pool", "fields", "zone", "eu"));
        // the delay is counted from the moment the gateway accepted the task, by its clock
        assertThat(stored.notBefore()).isEqualTo(stored.submittedAt().plusSeconds(3600));

        JsonNode shown = gateway.task(id);
        assertThat(shown.get("state").asString()).isEqualTo("queued");
        assertThat(shown.get("priority").asInt()).isEqualTo(8);
        assertThat(shown.get("attempt").asInt()).isEqualTo(1);
        assertThat(Instant.parse(shown.get("notBefore").asString())).isEqualTo(stored.notBefore());
        assertThat(shown.get("requires").get("zone").asString()).isEqualTo("eu");
        assertThat(shown.has("attempts")).as("no execution yet: %s", shown).isFalse();

        // an instant with an offset is the same instant; the older top-level maxAttempts is still taken
        Instant nine = Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        String at = nine.atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        String delayed = gateway.submit("{\"command\":[\"echo\",\"at\"],\"notBefore\":\"" + at + "\","
                + "\"maxAttempts\":2}");
        assertThat(storedTask(delayed).notBefore()).isEqualTo(nine);
        assertThat(storedTask(delayed).effectiveRetry().effectiveMaxAttempts()).isEqualTo(2);
        // nothing else to wait for: it says until when
        assertThat(gateway.task(delayed).get("message").asString()).isEqualTo("waiting until " + nine);

        // a plain command line gets every default, as before
        Gateway.Reply text = gateway.post("/tasks", "text/plain", "echo plain");
        assertThat(text.status()).as(text.body()).isEqualTo(202);
        String plain = text.json().get("id").asString();
        TaskSpec defaults = storedTask(plain);
        assertThat(defaults.priority()).isNull();
        assertThat(defaults.retry()).isNull();
        assertThat(defaults.notBefore()).isNull();
        assertThat(defaults.requires()).isEmpty();
        JsonNode plainShown = gateway.task(plain);
        assertThat(plainShown.get("priority").asInt()).isEqualTo(TaskSpec.DEFAULT_PRIORITY);
        assertThat(plainShown.has("notBefore") || plainShown.has("requires") || plainShown.has("message"))
                .as("%s", plainShown).isFalse();
    }

    @Test
    void anIdempotencyKeyTellsRequestsApartByTheNewFieldsToo() {
        String key = UUID.randomUUID().toString();
        String body = "{\"command\":[\"echo\",\"once\"],\"priority\":3,\"requires\":{\"pool\":\"idem\"}}";
        Gateway.Reply first = gateway.postJson(body, key);
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        Gateway.Reply again = gateway.postJson(body, key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        Gateway.assertProblem(gateway.postJson(body.replace("\"priority\":3", "\"priority\":4"), key), 422,
                "already used for a different");
    }

    // ---- cancel ---------------------------------------------------------------------------------------------------

    @Test
    void deleteAsksForAQueuedTaskBackThroughTheCancelZnode() throws Exception {
        String id = gateway.submit("{\"command\":[\"sleep\",\"100\"]}");
        Gateway.Reply reply = gateway.delete("/tasks/" + id);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        assertThat(reply.location()).isEqualTo("/tasks/" + id);
        assertThat(reply.json().get("id").asString()).isEqualTo(id);
        assertThat(reply.json().get("state").asString()).isEqualTo("queued"); // no master here to act on it
        assertThat(zk.getData("/cancel/" + id, false, null)).as("empty, as zkCli's create writes it").isEmpty();
        // the services' ACL, as every znode the gateway writes
        assertThat(zk.getACL("/cancel/" + id, null)).isEqualTo(zk.getACL("/tasks/" + id, null));

        Gateway.Reply repeated = gateway.delete("/tasks/" + id);
        assertThat(repeated.status()).as("asking twice is asking once").isEqualTo(202);
        assertThat(zk.getChildren("/cancel", false)).containsOnlyOnce(id);
    }

    @Test
    void deleteOfAFinishedTaskIs200WhenCancelledAnd409Otherwise() throws Exception {
        String cancelled = handFinished(TaskStatus.cancelled(TaskSpec.of(List.of("sleep", "9"), null, Instant.now()),
                "worker-x", Instant.now(), null));
        Gateway.Reply again = rejectedOrReadWithoutWrites(() -> gateway.delete("/tasks/" + cancelled));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("state").asString()).isEqualTo("cancelled");

        String done = handFinished(new TaskStatus(TaskState.DONE, List.of("echo"), 0, "\n", false, "worker-x", 1,
                null, null, Instant.now(), null, null));
        Gateway.assertProblem(rejectedOrReadWithoutWrites(() -> gateway.delete("/tasks/" + done)), 409,
                "already finished as done");
        String failed = handFinished(new TaskStatus(TaskState.TIMED_OUT, List.of("sleep"), null, null, false,
                "worker-x", 1, null, null, Instant.now(), "timed out after 1s", null));
        Gateway.assertProblem(rejectedOrReadWithoutWrites(() -> gateway.delete("/tasks/" + failed)), 409,
                "already finished as timed_out");

        Gateway.assertProblem(rejectedOrReadWithoutWrites(() -> gateway.delete("/tasks/task-0999999999")), 404,
                "no task with id 'task-0999999999'");
    }

    @Test
    void onlyTheSubmitterOrAnAdminMayCancel() throws Exception {
        String alices = gateway.withKey(ALICE).submit("{\"command\":[\"sleep\",\"100\"]}");

        Gateway.assertProblem(rejectedOrReadWithoutWrites(() -> gateway.withKey(READER).delete("/tasks/" + alices)),
                403, "the key 'dashboard' (roles: read) may not DELETE /tasks/" + alices);
        // another submit key learns nothing, not even that the task exists
        Gateway.assertProblem(rejectedOrReadWithoutWrites(() -> gateway.withKey(BOB).delete("/tasks/" + alices)),
                404, "no task with id '" + alices + "'");
        assertThat(zk.exists("/cancel/" + alices, false)).isNull();

        assertThat(gateway.withKey(ALICE).delete("/tasks/" + alices).status()).isEqualTo(202);
        assertThat(zk.exists("/cancel/" + alices, false)).isNotNull();

        String other = gateway.withKey(BOB).submit("{\"command\":[\"sleep\",\"100\"]}");
        assertThat(gateway.withKey(ADMIN).delete("/tasks/" + other).status()).isEqualTo(202);
        assertThat(zk.exists("/cancel/" + other, false)).isNotNull();
    }

    // ---- waiting, retries, labels ---------------------------------------------------------------------------------

    @Test
    void aTaskThatNoLiveWorkerMatchesSaysWhatItWaitsFor() throws Exception {
        zk.create("/workers/plain-1", "{\"slots\":1}".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL);
        try {
            String id = gateway.submit("{\"command\":[\"echo\",\"gpu\"],\"requires\":{\"pool\":\"gpu\"}}");
            assertThat(gateway.task(id).get("message").asString()).isEqualTo("waiting for a worker with pool=gpu");
            assertThat(gateway.get("/tasks?requires=pool:gpu").json().get("items").get(0).get("message").asString())
                    .isEqualTo("waiting for a worker with pool=gpu");

            // the labels a registration publishes, as GET /cluster shows them
            zk.create("/workers/gpu-1", "{\"slots\":1,\"labels\":{\"pool\":\"gpu\"}}".getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            try {
                assertThat(gateway.task(id).has("message")).as("a worker matches now").isFalse();
                JsonNode workers = gateway.get("/cluster").json().get("workers");
                Map<String, JsonNode> byId = new LinkedHashMap<>();
                workers.forEach(w -> byId.put(w.get("id").asString(), w));
                assertThat(byId.get("gpu-1").get("labels").get("pool").asString()).isEqualTo("gpu");
                assertThat(byId.get("gpu-1").has("reserved")).isFalse();
                assertThat(byId.get("plain-1").has("labels")).isFalse();
            } finally {
                zk.delete("/workers/gpu-1", -1);
            }

            // a reserved worker says so; it matches the task that requires its label
            zk.create("/workers/gpu-2", "{\"slots\":2,\"labels\":{\"pool\":\"gpu\"},\"reserved\":true}"
                    .getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            try {
                JsonNode reserved = null;
                for (JsonNode w : gateway.get("/cluster").json().get("workers")) {
                    if (w.get("id").asString().equals("gpu-2")) {
                        reserved = w;
                    }
                }
                assertThat(reserved).isNotNull();
                assertThat(reserved.get("reserved").asBoolean()).isTrue();
                assertThat(gateway.task(id).has("message")).isFalse();
            } finally {
                zk.delete("/workers/gpu-2", -1);
            }
            assertThat(gateway.task(id).get("message").asString()).isEqualTo("waiting for a worker with pool=gpu");
        } finally {
            zk.delete("/workers/plain-1", -1);
        }
    }

    @Test
    void aLongPollWaitsThroughARetryAndGetShowsTheHistory() throws Exception {
        String id = gateway.submit("{\"command\":[\"false\"],\"retry\":{\"maxAttempts\":2}}");
        CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(
                () -> gateway.get("/tasks/" + id + "?waitSeconds=60").json());

        // what a worker does (issue 12): runs it, it fails, and one transaction puts it back as attempt 2
        TaskSpec first = storedTask(id);
        zk.multi(List.of(Op.delete("/tasks/" + id, -1), Op.create("/assign/w-retry", new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/assign/w-retry/" + id, ProtocolCodec.encode(first), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT)));
        assertThat(gateway.task(id).get("state").asString()).isEqualTo("assigned");
        Instant ended = Instant.now();
        Attempt failed = new Attempt(1, "w-retry", TaskState.FAILED, 1, ended.minusSeconds(1), ended, null);
        TaskSpec second = first.nextAttempt(failed);
        zk.multi(List.of(Op.create("/tasks/" + id, ProtocolCodec.encode(second), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT), Op.delete("/assign/w-retry/" + id, -1)));

        JsonNode again = gateway.task(id);
        assertThat(again.get("state").asString()).isEqualTo("queued");
        assertThat(again.get("attempt").asInt()).isEqualTo(2);
        assertThat(again.get("attempts")).hasSize(1);
        assertThat(again.get("attempts").get(0).get("exitCode").asInt()).isEqualTo(1);
        assertThat(again.get("attempts").get(0).get("worker").asString()).isEqualTo("w-retry");
        assertThat(poll).as("a failed attempt that runs again is no answer").isNotDone();

        Attempt last = new Attempt(2, "w-retry", TaskState.DONE, 0, Instant.now(), Instant.now(), null);
        TaskStatus done = new TaskStatus(TaskState.DONE, second.command(), 0, "", false, "w-retry", 2,
                second.submittedAt(), last.startedAt(), last.finishedAt(), null, second.submission(),
                second.submittedBy()).withHistory(second);
        zk.multi(List.of(Op.create("/status/" + id, ProtocolCodec.encode(done), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT), Op.delete("/tasks/" + id, -1)));

        JsonNode answer = poll.get(30, TimeUnit.SECONDS);
        assertThat(answer.get("state").asString()).isEqualTo("done");
        assertThat(answer.get("attempt").asInt()).isEqualTo(2);
        List<String> states = new ArrayList<>();
        answer.get("attempts").forEach(a -> states.add(a.get("state").asString()));
        assertThat(states).containsExactly("failed", "done");
    }

    // ---- list filters ---------------------------------------------------------------------------------------------

    @Test
    void theListFiltersByPriorityAndRequiredLabelAndState() throws Exception {
        String urgent = gateway.submit("{\"command\":[\"echo\",\"u\"],\"priority\":9,"
                + "\"requires\":{\"team\":\"filters\"}}");
        String low = gateway.submit("{\"command\":[\"echo\",\"l\"],\"priority\":0,\"requires\":{\"team\":\"other\"}}");
        String plain = gateway.submit("{\"command\":[\"echo\",\"p\"]}");
        String cancelled = handFinished(TaskStatus.cancelled(TaskSpec.of(List.of("sleep", "9"), null, Instant.now()),
                "worker-x", Instant.now(), null));

        List<String> nine = taskIds(gateway.get("/tasks?priority=9"));
        assertThat(nine).contains(urgent).doesNotContain(low, plain);
        gateway.get("/tasks?priority=9").json().get("items")
                .forEach(task -> assertThat(task.get("priority").asInt()).isEqualTo(9));
        assertThat(taskIds(gateway.get("/tasks?priority=5"))).contains(plain).doesNotContain(urgent, low);
        assertThat(taskIds(gateway.get("/tasks?requires=team:filters"))).containsExactly(urgent);
        assertThat(taskIds(gateway.get("/tasks?requires=team:filters&priority=0"))).isEmpty();
        assertThat(taskIds(gateway.get("/tasks?requires=team:other&state=queued"))).containsExactly(low);
        assertThat(taskIds(gateway.get("/tasks?state=cancelled"))).contains(cancelled).doesNotContain(urgent);

        for (String bad : List.of("priority=10", "priority=x", "priority=-1", "priority=1.0", "requires=pool",
                "requires=:gpu", "requires=pool:", "requires=a%20b:c", "state=stopped")) {
            String name = bad.substring(0, bad.indexOf('='));
            Gateway.assertProblem(gateway.get("/tasks?" + bad), 400, name);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static TaskSpec storedTask(String id) throws Exception {
        return ProtocolCodec.decodeTask(zk.getData("/tasks/" + id, false, null));
    }

    /** A task that exists only as its status, as after a worker or the master finished it. */
    private static String handFinished(TaskStatus status) throws Exception {
        String id = "task-" + (9_000_000_000L + (long) (Math.random() * 900_000_000L));
        zk.create("/status/" + id, ProtocolCodec.encode(status), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        return id;
    }

    /** Sends a request that must be refused, and checks that no task and no Idempotency-Key record was written. */
    private static Gateway.Reply rejectedWithoutWrites(Supplier<Gateway.Reply> request) throws Exception {
        Gateway.Reply reply = rejectedOrReadWithoutWrites(request);
        assertThat(reply.status()).as(reply.body()).isBetween(400, 499);
        return reply;
    }

    /** Sends a request and checks that it created or deleted nothing: no task, key record or cancel request. */
    private static Gateway.Reply rejectedOrReadWithoutWrites(Supplier<Gateway.Reply> request) throws Exception {
        int tasks = zk.exists("/tasks", false).getCversion();
        int keys = zk.exists("/idempotency", false).getCversion();
        int cancels = zk.exists("/cancel", false).getCversion();
        Gateway.Reply reply = request.get();
        // cversion counts every create and delete of a child; nothing else (no master) moves tasks here
        assertThat(zk.exists("/tasks", false).getCversion()).as("children created under /tasks").isEqualTo(tasks);
        assertThat(zk.exists("/idempotency", false).getCversion()).isEqualTo(keys);
        assertThat(zk.exists("/cancel", false).getCversion()).isEqualTo(cancels);
        return reply;
    }
}
