package io.zootask.system;

import static io.zootask.system.Gateway.taskIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zootask.gateway.security.InvalidSecurityConfigurationException;
import io.zootask.gateway.security.UnprotectedExposureException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * The gateway locked down (issue 5): API keys and roles, secure by default on a non-loopback address, limits, and
 * every rejection an RFC 7807 problem that wrote nothing to ZooKeeper. One real ZooKeeper (TestingServer) and no
 * master, so every task a test submits stays in {@code /tasks} where it can be counted.
 */
@Timeout(180)
@ExtendWith(OutputCaptureExtension.class)
class GatewaySecurityTest {

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
        gateway = cluster.gatewayAsShipped(
                // alice by hash, as an operator should configure it; the others by plain key, as an env file may
                "zootask.gateway.security.keys[0].id=alice",
                "zootask.gateway.security.keys[0].sha256=" + sha256(ALICE),
                "zootask.gateway.security.keys[0].roles=submit",
                "zootask.gateway.security.keys[1].id=bob",
                "zootask.gateway.security.keys[1].key=" + BOB,
                "zootask.gateway.security.keys[1].roles=submit",
                "zootask.gateway.security.keys[2].id=dashboard",
                "zootask.gateway.security.keys[2].key=" + READER,
                "zootask.gateway.security.keys[2].roles=read",
                "zootask.gateway.security.keys[3].id=ops",
                "zootask.gateway.security.keys[3].key=" + ADMIN,
                "zootask.gateway.security.keys[3].roles=admin",
                "zootask.gateway.max-body-size=2KB",
                "zootask.gateway.max-arguments=5",
                "zootask.gateway.max-argument-length=20",
                "zootask.gateway.max-wait=10s",
                "zootask.gateway.max-page-size=50",
                // high enough never to get in the way here; the rate limit has its own gateway below
                "zootask.gateway.security.rate-limit.per-second=1000",
                "zootask.gateway.security.rate-limit.burst=1000");
        zk = cluster.plainClient();
    }

    // ---- authentication -------------------------------------------------------------------------------------------

    @Test
    void aRequestWithoutAKeyIs401WithABearerChallenge() throws Exception {
        for (Supplier<Gateway.Reply> request : List.<Supplier<Gateway.Reply>>of(
                () -> gateway.postJson("{\"command\":[\"echo\",\"no key\"]}"),
                () -> gateway.post("/tasks", "text/plain", "echo no key"),
                () -> gateway.get("/tasks"),
                () -> gateway.get("/tasks/task-0000000000"),
                () -> gateway.get("/cluster"),
                () -> gateway.get("/actuator/prometheus"))) {
            Gateway.Reply reply = rejectedWithoutWrites(request);
            assertProblem(reply, 401, "needs an API key: send the header 'Authorization: Bearer <key>'");
            assertThat(reply.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"zootask\"");
        }
    }

    @Test
    void aWrongOrMalformedKeyIs401() throws Exception {
        Gateway.Reply wrong = rejectedWithoutWrites(() -> gateway.withKey("not-a-key-of-this-gateway-at-all")
                .postJson("{\"command\":[\"echo\",\"wrong key\"]}"));
        assertProblem(wrong, 401, "the API key is not valid");
        assertThat(wrong.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"zootask\", error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain("not-a-key-of-this-gateway-at-all");

        // a key's hash is not the key
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(sha256(ALICE)).get("/tasks")), 401, "not valid");

        Gateway.Reply basic = rejectedWithoutWrites(() -> gateway.send(HttpRequest.newBuilder(
                URI.create(gateway.base() + "/tasks")).header("Authorization", "Basic YWxpY2U6c2VjcmV0").GET()));
        assertProblem(basic, 401, "must be 'Bearer <key>'");

        // a wrong key is refused even where no key is needed: the client finds out its key is wrong
        assertThat(gateway.withKey("wrong-key-wrong-key-wrong").get("/actuator/health/liveness").status())
                .isEqualTo(401);
    }

    // ---- roles ----------------------------------------------------------------------------------------------------

    @Test
    void aKeyWithoutTheRoleIs403() throws Exception {
        Gateway.Reply cluster = rejectedWithoutWrites(() -> gateway.withKey(ALICE).get("/cluster"));
        assertProblem(cluster, 403, "the key 'alice' (roles: submit) may not GET /cluster");
        assertThat(cluster.body()).doesNotContain(ALICE);

        Gateway.Reply readerSubmits = rejectedWithoutWrites(() -> gateway.withKey(READER)
                .postJson("{\"command\":[\"echo\",\"reader\"]}"));
        assertProblem(readerSubmits, 403, "the key 'dashboard' (roles: read) may not POST /tasks");

        assertProblem(gateway.withKey(BOB).get("/actuator/prometheus"), 403, "may not GET /actuator/prometheus");
    }

    @Test
    void aSubmitKeySeesOnlyItsOwnTasksAndReadAndAdminSeeAll() throws Exception {
        Gateway.Reply accepted = gateway.withKey(ALICE).postJson("{\"command\":[\"echo\",\"alice's\"]}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("submittedBy").asString()).isEqualTo("alice");
        String alices = accepted.json().get("id").asString();
        String bobs = gateway.withKey(BOB).submit("{\"command\":[\"echo\",\"bob's\"]}");
        String admins = gateway.withKey(ADMIN).submit("{\"command\":[\"echo\",\"ops\"]}");

        // the task znode records the key's id, never the key
        byte[] data = zk.getData("/tasks/" + alices, false, null);
        TaskSpec spec = ProtocolCodec.decodeTask(data);
        assertThat(spec.submittedBy()).isEqualTo("alice");
        assertThat(new String(data, StandardCharsets.UTF_8)).doesNotContain(ALICE).doesNotContain(sha256(ALICE));

        Gateway.Reply own = gateway.withKey(ALICE).get("/tasks/" + alices + "?waitSeconds=0");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().get("submittedBy").asString()).isEqualTo("alice");

        // someone else's task is answered exactly like a task that does not exist
        Gateway.Reply others = gateway.withKey(ALICE).get("/tasks/" + bobs);
        assertProblem(others, 404, "no task with id '" + bobs + "'");
        assertThat(gateway.withKey(ALICE).get("/tasks/" + bobs + "?waitSeconds=1").status()).isEqualTo(404);

        assertThat(taskIds(gateway.withKey(ALICE).get("/tasks?limit=50"))).contains(alices)
                .doesNotContain(bobs, admins);
        assertThat(taskIds(gateway.withKey(BOB).get("/tasks?limit=50"))).contains(bobs).doesNotContain(alices, admins);

        for (String key : List.of(READER, ADMIN)) {
            assertThat(taskIds(gateway.withKey(key).get("/tasks?limit=50"))).contains(alices, bobs, admins);
            Gateway.Reply read = gateway.withKey(key).get("/tasks/" + bobs);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json().get("submittedBy").asString()).isEqualTo("bob");
            assertThat(gateway.withKey(key).get("/cluster").status()).isEqualTo(200);
        }
    }

    @Test
    void theSubmitterIsCopiedIntoTheFinishedStatus() throws Exception {
        ZootaskCluster running = zootask.another();
        running.master("master-1");
        running.worker("worker-1", 1);
        Gateway keyed = running.gatewayAsShipped(
                "zootask.gateway.security.keys[0].id=alice",
                "zootask.gateway.security.keys[0].key=" + ALICE,
                "zootask.gateway.security.keys[0].roles=submit",
                "zootask.gateway.security.keys[1].id=bob",
                "zootask.gateway.security.keys[1].key=" + BOB,
                "zootask.gateway.security.keys[1].roles=submit");
        String id = keyed.withKey(ALICE).submit("{\"command\":[\"echo\",\"mine\"]}");
        JsonNode finished = keyed.withKey(ALICE).awaitFinished(id, ZootaskCluster.seconds(30));
        assertThat(finished.get("state").asString()).isEqualTo("done");
        assertThat(finished.get("submittedBy").asString()).isEqualTo("alice");
        byte[] status = running.plainClient().getData("/status/" + id, false, null);
        assertThat(ProtocolCodec.decodeStatus(status).submittedBy()).isEqualTo("alice");
        assertThat(keyed.withKey(BOB).get("/tasks/" + id).status()).isEqualTo(404);
        assertThat(keyed.withKey(BOB).get("/tasks/" + id + "?waitSeconds=1").status()).isEqualTo(404);

        // A long-poll's answer is written after its request left the security chain, from the thread that saw
        // the task finish: it still carries the headers the chain set, like any other answer.
        String next = keyed.withKey(ALICE).submit("{\"command\":[\"sleep\",\"1\"]}");
        HttpResponse<String> waited = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        keyed.base() + "/tasks/" + next + "?waitSeconds=30"))
                .header("Authorization", "Bearer " + ALICE).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(waited.statusCode()).isEqualTo(200);
        assertThat(waited.body()).contains("\"state\":\"done\"");
        assertThat(waited.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(waited.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(waited.headers().firstValue("Cache-Control")).hasValueSatisfying(v -> assertThat(v)
                .contains("no-store"));
    }

    @Test
    void aListThatMatchesLittleReadsABoundedPageAndPointsOnward() throws Exception {
        ZootaskCluster quiet = zootask.another();
        Gateway keyed = quiet.gatewayAsShipped(
                "zootask.gateway.security.keys[0].id=alice",
                "zootask.gateway.security.keys[0].key=" + ALICE,
                "zootask.gateway.security.keys[0].roles=submit",
                "zootask.gateway.security.keys[1].id=ops",
                "zootask.gateway.security.keys[1].key=" + ADMIN,
                "zootask.gateway.security.keys[1].roles=admin",
                "zootask.gateway.max-list-reads=3");
        String alices = keyed.withKey(ALICE).submit("{\"command\":[\"echo\",\"mine\"]}");
        List<String> admins = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            admins.add(keyed.withKey(ADMIN).submit("{\"command\":[\"echo\",\"ops\"]}"));
        }
        // newest first: the first page reads 3 of the admin's tasks, shows none of them, and points onward
        Gateway.Reply first = keyed.withKey(ALICE).get("/tasks?limit=50");
        assertThat(taskIds(first)).isEmpty();
        assertThat(first.json().get("nextCursor").asString()).isEqualTo(admins.get(2));
        // following the cursors finds alice's task, and only hers
        List<String> seen = new ArrayList<>();
        String cursor = first.json().get("nextCursor").asString();
        for (int page = 0; page < 5 && cursor != null; page++) {
            Gateway.Reply next = keyed.withKey(ALICE).get("/tasks?limit=50&cursor=" + cursor);
            seen.addAll(taskIds(next));
            JsonNode nextCursor = next.json().get("nextCursor");
            cursor = nextCursor == null || nextCursor.isNull() ? null : nextCursor.asString();
        }
        assertThat(seen).containsExactly(alices);
        // a caller who sees everything gets full pages as before
        assertThat(taskIds(keyed.withKey(ADMIN).get("/tasks?limit=2")))
                .containsExactly(admins.get(4), admins.get(3));
    }

    @Test
    void idempotencyKeysBelongToTheApiKeyThatUsedThem() {
        String idempotencyKey = UUID.randomUUID().toString();
        Gateway.Reply alices = gateway.withKey(ALICE).send(postWithIdempotencyKey(idempotencyKey));
        Gateway.Reply bobs = gateway.withKey(BOB).send(postWithIdempotencyKey(idempotencyKey));
        Gateway.Reply alicesAgain = gateway.withKey(ALICE).send(postWithIdempotencyKey(idempotencyKey));
        assertThat(List.of(alices.status(), bobs.status(), alicesAgain.status())).containsOnly(202);
        // bob's request is his own task, not a replay that would show him alice's
        assertThat(bobs.json().get("id").asString()).isNotEqualTo(alices.json().get("id").asString());
        assertThat(bobs.json().get("submittedBy").asString()).isEqualTo("bob");
        assertThat(alicesAgain.json().get("id").asString()).isEqualTo(alices.json().get("id").asString());
        assertThat(alicesAgain.header("Idempotent-Replayed")).isEqualTo("true");
    }

    // ---- limits ---------------------------------------------------------------------------------------------------

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String big = "{\"command\":[\"echo\",\"" + "x".repeat(4096) + "\"]}";
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(ALICE).postJson(big)), 413,
                "request body is larger than the limit of 2048 bytes");
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(ALICE).post("/tasks", "text/plain",
                "echo " + "y".repeat(4096))), 413, "larger than the limit");
    }

    @Test
    void tooManyOrTooLongArgumentsAre400() throws Exception {
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(ALICE)
                        .postJson("{\"command\":[\"echo\",\"1\",\"2\",\"3\",\"4\",\"5\"]}")), 400,
                "command has 6 arguments; at most 5 are allowed");
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(ALICE).post("/tasks", "text/plain",
                "echo a b c d e f")), 400, "at most 5 are allowed");
        assertProblem(rejectedWithoutWrites(() -> gateway.withKey(ALICE)
                        .postJson("{\"command\":[\"echo\",\"" + "z".repeat(21) + "\"]}")), 400,
                "command[1] is 21 characters long; at most 20 are allowed");
    }

    @Test
    void waitSecondsAndPageSizeOutOfRangeAre400() throws Exception {
        String id = gateway.withKey(ALICE).submit("{\"command\":[\"echo\",\"wait\"]}");
        for (String wait : List.of("-1", "11", "abc", "99999999999")) {
            Gateway.Reply reply = rejectedWithoutWrites(() -> gateway.withKey(ALICE)
                    .get("/tasks/" + id + "?waitSeconds=" + wait));
            assertProblem(reply, 400, "waitSeconds must be");
        }
        for (String limit : List.of("0", "51", "x")) {
            assertProblem(rejectedWithoutWrites(() -> gateway.withKey(READER).get("/tasks?limit=" + limit)), 400,
                    "limit must be");
        }
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfter() throws Exception {
        Gateway limited = cluster.gatewayAsShipped(
                "zootask.gateway.security.keys[0].id=ci",
                "zootask.gateway.security.keys[0].key=" + ALICE,
                "zootask.gateway.security.keys[0].roles=submit",
                "zootask.gateway.security.keys[1].id=other",
                "zootask.gateway.security.keys[1].key=" + BOB,
                "zootask.gateway.security.keys[1].roles=submit",
                "zootask.gateway.security.rate-limit.per-second=1",
                "zootask.gateway.security.rate-limit.burst=3");
        try {
            List<String> accepted = new ArrayList<>();
            Gateway.Reply refused = null;
            Stat before = zk.exists("/tasks", false);
            for (int i = 0; i < 20 && refused == null; i++) {
                Gateway.Reply reply = limited.withKey(ALICE).postJson("{\"command\":[\"echo\",\"" + i + "\"]}");
                if (reply.status() == 202) {
                    accepted.add(reply.json().get("id").asString());
                } else {
                    refused = reply;
                }
            }
            assertThat(refused).as("a 429 within 20 quick requests at 1/s with bursts of 3").isNotNull();
            assertProblem(refused, 429, "the key 'ci' is over its rate limit of 1 requests per second");
            assertThat(Integer.parseInt(refused.retryAfter())).isBetween(1, 2);
            // only the accepted requests wrote anything
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(3);
            assertThat(zk.exists("/tasks", false).getCversion()).isEqualTo(before.getCversion() + accepted.size());
            // another key has its own bucket
            assertThat(limited.withKey(BOB).postJson("{\"command\":[\"echo\",\"other\"]}").status()).isEqualTo(202);
        } finally {
            limited.app().close();
        }
    }

    // ---- actuator and API docs ------------------------------------------------------------------------------------

    @Test
    void probesAndHealthStatusAreOpenDetailsInfoAndMetricsNeedRead() {
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness", "/actuator/health")) {
            Gateway.Reply reply = gateway.get(probe);
            assertThat(reply.status()).as(probe).isEqualTo(200);
            assertThat(reply.json().get("status").asString()).isEqualTo("UP");
            assertThat(reply.json().has("components")).as(probe + " without a key: status only, got " + reply.body())
                    .isFalse();
        }
        JsonNode details = gateway.withKey(READER).get("/actuator/health").json();
        assertThat(details.get("components").get("zookeeper").get("status").asString()).isEqualTo("UP");

        assertThat(gateway.get("/actuator/info").status()).isEqualTo(401);
        assertThat(gateway.withKey(ALICE).get("/actuator/info").status()).isEqualTo(403);
        assertThat(gateway.withKey(READER).get("/actuator/info").status()).isEqualTo(200);
        assertThat(gateway.withKey(ALICE).get("/actuator/prometheus").status()).isEqualTo(403);
        Gateway.Reply metrics = gateway.withKey(READER).get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("zootask_gateway_tasks_submitted_total");
        assertThat(gateway.withKey(ADMIN).get("/actuator/prometheus").status()).isEqualTo(200);
    }

    @Test
    void swaggerUiLoadsWithoutAKeyAndDeclaresTheBearerScheme() {
        Gateway.Reply docs = gateway.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode scheme = docs.json().get("components").get("securitySchemes").get("apiKey");
        assertThat(scheme.get("type").asString()).isEqualTo("http");
        assertThat(scheme.get("scheme").asString()).isEqualTo("bearer");
        assertThat(docs.json().get("security").get(0).has("apiKey")).isTrue();
        assertThat(gateway.get("/swagger-ui.html").status()).isEqualTo(200);
        assertThat(gateway.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    // ---- secure by default ----------------------------------------------------------------------------------------

    @Test
    void refusesToStartOnANonLoopbackAddressWithoutKeys() {
        assertThatThrownBy(() -> cluster.gatewayAsShipped("server.address=0.0.0.0"))
                .rootCause().isInstanceOf(UnprotectedExposureException.class)
                .hasMessageContaining("bound to 0.0.0.0, which is not a loopback address, and no API key");
        // unset server.address means every interface
        assertThatThrownBy(() -> cluster.gatewayAsShipped("server.address="))
                .rootCause().isInstanceOf(UnprotectedExposureException.class)
                .hasMessageContaining("every interface");
    }

    @Test
    void refusesToStartWithAnUnusableKey() {
        assertThatThrownBy(() -> cluster.gatewayAsShipped("zootask.gateway.security.keys[0].id=short",
                "zootask.gateway.security.keys[0].key=tooshort", "zootask.gateway.security.keys[0].roles=admin"))
                .rootCause().isInstanceOf(InvalidSecurityConfigurationException.class)
                .hasMessageContaining("shorter than 16 characters")
                .hasMessageNotContaining("tooshort");
        assertThatThrownBy(() -> cluster.gatewayAsShipped("zootask.gateway.security.keys[0].id=nohash",
                "zootask.gateway.security.keys[0].sha256=abc", "zootask.gateway.security.keys[0].roles=read"))
                .rootCause().isInstanceOf(InvalidSecurityConfigurationException.class)
                .hasMessageContaining("must be 64 hex digits");
    }

    @Test
    void theOpenFlagStartsOnANonLoopbackAddressWithAWarning(CapturedOutput output) {
        Gateway open = cluster.gatewayAsShipped("server.address=0.0.0.0", "zootask.gateway.security.open=true");
        try {
            assertThat(output.getOut()).contains("THE API IS OPEN").contains("bound to 0.0.0.0");
            // open: no key needed (reached here over loopback only)
            assertThat(open.get("/cluster").status()).isEqualTo(200);
            assertThat(open.get("/actuator/health").json().has("components")).isTrue();
        } finally {
            open.app().close();
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static HttpRequest.Builder postWithIdempotencyKey(String key) {
        return HttpRequest.newBuilder(URI.create(gateway.base() + "/tasks")).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString("{\"command\":[\"true\"]}"));
    }

    /** Sends a request that must be refused, and checks that no task and no Idempotency-Key record was written. */
    private static Gateway.Reply rejectedWithoutWrites(Supplier<Gateway.Reply> request) throws Exception {
        Stat tasks = zk.exists("/tasks", false);
        Stat keys = zk.exists("/idempotency", false);
        Gateway.Reply reply = request.get();
        assertThat(reply.status()).as(reply.body()).isBetween(400, 499);
        // cversion counts every create and delete of a child; nothing else (no master) moves tasks here
        assertThat(zk.exists("/tasks", false).getCversion()).as("children created under /tasks")
                .isEqualTo(tasks.getCversion());
        assertThat(zk.exists("/idempotency", false).getCversion()).isEqualTo(keys.getCversion());
        return reply;
    }

    /** Every rejection of the security layer is one of zootask's own problem types. */
    private static void assertProblem(Gateway.Reply reply, int status, String detail) {
        JsonNode problem = Gateway.assertProblem(reply, status, detail);
        assertThat(problem.get("type").asString()).startsWith("https://zootask.io/problems/");
        // no stack trace, no internal names
        assertThat(reply.body()).doesNotContain("Exception", "\tat ", "io.zootask.", "java.", "springframework",
                "trace");
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
