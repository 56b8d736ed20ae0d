package io.zootask.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Hostile input changes nothing (issue 5), as properties over thousands of generated inputs (jqwik):
 *
 * <ul>
 * <li>random and malicious requests (methods, paths, ids, query strings, headers, keys, Idempotency-Keys, content
 * types and bodies, sent byte for byte over a plain socket) to a gateway with API keys and to an open one: never a
 * 5xx, never a stack trace or an internal class name, every 4xx an RFC 7807 {@code application/problem+json}, and
 * nothing written to ZooKeeper for a rejected request;
 * <li>valid submissions mixed in among them are accepted and finish {@code done};
 * <li>random bytes written straight into {@code /tasks} (as any ZooKeeper client could) each end with a status, the
 * master and the worker stay up, and the gateway shows each of them without a 5xx.
 * </ul>
 *
 * One ZooKeeper, master, worker and the two gateways serve every try. Tries run one after another, and a try that
 * submitted a task waits until it finished, so ZooKeeper is at rest between tries and the counters compared around
 * a rejected request (the child-list versions of the parents, which count every create and delete) can only have
 * moved because of that request.
 */
class GatewayFuzzTest {

    // test keys only
    private static final String SUBMITTER = "fuzz-submit-key-0123456789";
    private static final String READER = "fuzz-reader-key-0123456789";
    private static final String ADMIN = "fuzz-admin-key-0123456789ab";

    /** Signs of a stack trace or of internal names leaking into a response. */
    private static final List<String> LEAKS = List.of("Exception", "\tat ", "at io.", "at org.", "at java.",
            "java.", "javax.", "jakarta.", "tools.jackson", "com.fasterxml", "org.springframework", "org.eclipse",
            "org.apache", "io.zootask", "StreamReadConstraints", "jetty", "Jetty");

    private static final Set<String> TERMINAL = Set.of("done", "failed", "timed_out", "cancelled");

    private static ZootaskCluster cluster;
    private static ConfigurableApplicationContext master;
    private static ConfigurableApplicationContext worker;
    private static Gateway keyed;
    private static Gateway open;
    private static ZooKeeper zk;

    @BeforeContainer
    static void start() throws Exception {
        cluster = new ZootaskCluster();
        master = cluster.master("fuzz-master");
        worker = cluster.worker("fuzz", 2);
        keyed = cluster.gatewayAsShipped(
                "zootask.gateway.security.keys[0].id=submitter",
                "zootask.gateway.security.keys[0].key=" + SUBMITTER,
                "zootask.gateway.security.keys[0].roles=submit",
                "zootask.gateway.security.keys[1].id=reader",
                "zootask.gateway.security.keys[1].key=" + READER,
                "zootask.gateway.security.keys[1].roles=read",
                "zootask.gateway.security.keys[2].id=admin",
                "zootask.gateway.security.keys[2].key=" + ADMIN,
                "zootask.gateway.security.keys[2].roles=admin",
                // thousands of requests a minute from three keys: the rate limit has its own test
                "zootask.gateway.security.rate-limit.per-second=1000000",
                "zootask.gateway.security.rate-limit.burst=1000000");
        open = cluster.gatewayAsShipped(); // loopback, no keys: open
        zk = cluster.plainClient();
        await().atMost(Duration.ofSeconds(30)).until(() -> zk.exists("/workers/fuzz-1", false) != null);
        String first = keyed.withKey(ADMIN).submit("{\"command\":[\"echo\",\"ready\"]}");
        assertThat(keyed.withKey(ADMIN).awaitFinished(first, Duration.ofSeconds(30)).get("state").asString())
                .isEqualTo("done");
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            // after all of it, everything still works
            assertThat(master.isActive() && worker.isActive()).as("master and worker alive").isTrue();
            for (Gateway gateway : List.of(keyed, open)) {
                String id = gateway.withKey(ADMIN).submit("{\"command\":[\"echo\",\"still here\"]}");
                JsonNode task = keyed.withKey(ADMIN).awaitFinished(id, Duration.ofSeconds(30));
                assertThat(task.get("state").asString()).isEqualTo("done");
                assertThat(task.get("output").asString()).isEqualTo("still here\n");
            }
            for (ConfigurableApplicationContext service : List.of(master, worker)) {
                Gateway.Reply health = new Gateway(service).get("/actuator/health");
                assertThat(health.status()).as(health.body()).isEqualTo(200);
                assertThat(health.json().get("status").asString()).isEqualTo("UP");
            }
        } finally {
            cluster.close();
        }
    }

    // ---- HTTP -----------------------------------------------------------------------------------------------------

    @Property(tries = 3000)
    void anyRequestIsAnsweredWithoutA5xxOrALeakAndARejectedOneWritesNothing(@ForAll("requests") Request request)
            throws Exception {
        check(request);
    }

    /** Requests the property once found answered with a 5xx, HTML, an empty body, or a 406 after the write. */
    @Example
    void theRequestsThatOnceGotAnUnhelpfulAnswerGetAProblem() throws Exception {
        String valid = "{\"command\":[\"echo\",\"hi\"]}";
        List<Map.Entry<Integer, Request>> requests = List.of(
                // a broken %-encoding in the query: Jetty's "Bad query" surfaced in a controller as a 500
                Map.entry(400, request("GET", "/tasks?limit=%zz", null)),
                Map.entry(400, request("GET", "/tasks/task-0000000001?waitSeconds=%", null)),
                // ... and in a path parameter, which Spring's path parsing refused with a 500
                Map.entry(400, request("GET", "/h;%q.y/x", null)),
                Map.entry(400, request("GET", "/tasks;%zz", null)),
                // a firewall refusal raised lazily inside a controller (Swagger UI's redirect): a 500
                Map.entry(400, request("GET", "/swagger-ui.html?%00=x", null)),
                // multipart parsing before the controller was chosen: a 500
                Map.entry(415, request("POST", "/tasks", "--y\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb"
                        + "\r\n--y--\r\n", "Content-Type", "multipart/form-data; boundary=y")),
                // a pattern as Content-Type reached the JSON reader: a 500
                Map.entry(415, request("POST", "/tasks", valid, "Content-Type", "*/*")),
                Map.entry(415, request("POST", "/tasks", valid, "Content-Type", "application/*")),
                // an Accept without JSON: the task was written, then the answer was a 406
                Map.entry(406, request("POST", "/tasks", valid, "Content-Type", "application/json", "Accept",
                        "text/event-stream")),
                Map.entry(406, request("POST", "/tasks", "echo hi", "Content-Type", "text/plain", "Accept",
                        "application/xml")),
                // Accept: application/problem+json got a task labelled as a problem
                Map.entry(406, request("GET", "/tasks/task-0000000001", null, "Accept", "application/problem+json")),
                // Boot's error page: a 500 ("status":999) when asked directly, its own JSON otherwise
                Map.entry(404, request("GET", "/error", null)),
                Map.entry(404, request("POST", "/error", valid, "Content-Type", "application/json")),
                Map.entry(400, request("GET", "/tasks/..", null)),
                Map.entry(400, request("GET", "/tasks/%2e%2e", null)),
                // Jetty's own rejections: HTML, or an empty body for methods other than GET, POST and HEAD
                Map.entry(400, request("GET", "/tasks/%2F", null)),
                Map.entry(400, request("GET", "/tasks/a%2Fb", null)),
                Map.entry(400, request("GET", "/tasks/%00", null)),
                Map.entry(400, request("DELETE", "/tasks/\u0001", null)),
                Map.entry(400, request("GET", "/tasks", null, "X-Bad", "a\u0000b")),
                Map.entry(400, request("CONNECT", "/tasks", null)),
                Map.entry(414, request("GET", "/tasks/" + "a".repeat(9_000), null)),
                Map.entry(431, request("GET", "/tasks", null, "Idempotency-Key", "k".repeat(10_000))),
                // a charset Java cannot use: Spring decodes the path with it while answering, a 500 in HTML
                Map.entry(404, request("GET", "/WEB-INF/web.xml", null, "Content-Type", "application/json; charset=\"")),
                Map.entry(415, request("POST", "/tasks", valid, "Content-Type", "application/json; charset=nope")),
                // Spring's own 405 and 415 with an Accept it cannot parse: an empty body
                Map.entry(405, request("POST", "/tasks/task-0000000001", null, "Accept", "garbage;;")),
                Map.entry(415, request("POST", "/tasks", "x", "Content-Type", "application/xml", "Accept",
                        "garbage;;")));
        for (Map.Entry<Integer, Request> expected : requests) {
            for (boolean isOpen : List.of(true, false)) {
                Request request = expected.getValue().on(isOpen);
                assertThat(check(request)).as("%s", request).isEqualTo(expected.getKey());
            }
        }
    }

    private static Request request(String method, String target, String body, String... headers) {
        List<Map.Entry<String, String>> all = new ArrayList<>();
        all.add(Map.entry("Host", "127.0.0.1:{port}"));
        all.add(Map.entry("Authorization", "Bearer " + ADMIN));
        for (int i = 0; i < headers.length; i += 2) {
            all.add(Map.entry(headers[i], headers[i + 1]));
        }
        return new Request(false, method, target, all, body == null ? null : utf8(body), false, false);
    }

    /** Sends the request and checks every property of its answer; returns the status. */
    private static int check(Request request) throws Exception {
        Gateway gateway = request.open() ? open : keyed;
        int port = Integer.parseInt(ZootaskCluster.port(gateway.app()));
        Snapshot before = Snapshot.of(zk);
        RawHttp.Response response;
        try {
            response = RawHttp.exchange(port, request.bytes(port), Duration.ofSeconds(30));
        } catch (java.io.IOException unanswered) {
            throw new AssertionError("no answer to " + request, unanswered);
        }
        int status = response.status();
        String body = response.bodyText();
        String what = request + "\n  answered " + status + " " + response.headers() + "\n  " + abbreviate(body, 600);
        Statistics.label("answer").collect(status + " " + kindOf(response));

        assertThat(status).as("no 5xx: %s", what).isLessThan(500);
        assertNoLeak(body, request.target(), what);
        if (status >= 400) {
            assertProblem(response, request.method(), what);
            assertThat(Snapshot.of(zk)).as("nothing written to ZooKeeper for a rejected request: %s", what)
                    .isEqualTo(before);
        } else if (String.valueOf(response.header("Content-Type")).startsWith("application/problem+json")) {
            throw new AssertionError("a problem only for an error: " + what);
        } else if ((status == 202 || status == 200) && request.method().equals("POST")) {
            // 200: a POST /tasks?waitSeconds=N whose task finished within the wait
            JsonNode accepted = Gateway.JSON.readTree(body);
            for (JsonNode task : accepted.isArray() ? accepted : List.of(accepted)) { // a batch: every one of its tasks
                JsonNode finished = awaitTerminal(task.get("id").asString());
                if (request.mustFinish()) {
                    assertThat(finished.get("state").asString()).as("a valid task finishes: %s\n%s", what, finished)
                            .isEqualTo("done");
                }
            }
        } else {
            assertThat(Snapshot.of(zk)).as("a read writes nothing: %s", what).isEqualTo(before);
        }
        if (request.mustFinish()) {
            assertThat(status).as("a valid submission is accepted: %s", what).isEqualTo(202);
        }
        return status;
    }

    /** For the statistics: the problem's type, or the content type of anything else. */
    private static String kindOf(RawHttp.Response response) {
        try {
            String type = Gateway.JSON.readTree(response.body()).path("type").asString("");
            if (!type.isEmpty()) {
                return type.substring(type.lastIndexOf('/') + 1);
            }
        } catch (RuntimeException notJson) {
            // described by its content type below
        }
        return String.valueOf(response.header("Content-Type"));
    }

    /** Whatever the request, the answer's body shows no stack trace and no internal name. */
    private static void assertNoLeak(String body, String target, String what) {
        // the actuator's own documents (metrics, info) and the API docs are about the JVM and its classes, by design
        if (target.startsWith("/actuator/prometheus") || target.startsWith("/actuator/info")
                || target.startsWith("/v3/api-docs") || target.startsWith("/swagger-ui")) {
            return;
        }
        for (String leak : LEAKS) {
            assertThat(body).as("no '%s' in the answer: %s", leak, what).doesNotContain(leak);
        }
    }

    /** A 4xx is an RFC 7807 problem: {@code application/problem+json} with the status and a title. */
    private static void assertProblem(RawHttp.Response response, String method, String what) {
        String contentType = response.header("Content-Type");
        if (method.equals("HEAD") && response.body().length == 0 && contentType == null) {
            return; // no body, so nothing to label
        }
        assertThat(contentType).as("a 4xx is application/problem+json: %s", what)
                .startsWith("application/problem+json");
        if (method.equals("HEAD")) {
            return;
        }
        JsonNode problem = Gateway.JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).as("the problem's status: %s", what).isEqualTo(response.status());
        assertThat(problem.path("title").asString("")).as("the problem's title: %s", what).isNotBlank();
    }

    /** Long-polls the task through the gateway until it is finished; every answer a 200 without a leak. */
    private static JsonNode awaitTerminal(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Gateway.Reply reply = keyed.withKey(ADMIN).get("/tasks/" + id + "?waitSeconds=30");
            String what = "GET /tasks/" + id + " answered " + reply.status() + ": " + abbreviate(reply.body(), 600);
            assertThat(reply.status()).as(what).isEqualTo(200);
            assertNoLeak(reply.body(), "/tasks/" + id, what);
            JsonNode task = reply.json();
            if (TERMINAL.contains(task.path("state").asString(""))) {
                return task;
            }
            assertThat(System.nanoTime()).as("task %s finishes within 60 s: %s", id, task).isLessThan(deadline);
        }
    }

    // ---- znodes ---------------------------------------------------------------------------------------------------

    @Property(tries = 500)
    void anyBytesInATaskZnodeEndInAStatusAndBreakNothing(@ForAll("taskData") TaskData data) throws Exception {
        check(data);
    }

    /** The master once failed this task with a message naming Jackson's internals ({@code StreamReadConstraints}). */
    @Example
    void aTooDeeplyNestedTaskFailsWithAPlainMessage() throws Exception {
        check(new TaskData(Kind.MALFORMED, utf8("{\"command\":" + "[".repeat(600) + "]".repeat(600) + "}")));
    }

    private static void check(TaskData data) throws Exception {
        String path = zk.create("/tasks/task-", data.bytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        String id = path.substring("/tasks/".length());
        JsonNode finished = awaitTerminal(id);
        String state = finished.get("state").asString();
        Statistics.label("state").collect(data.kind() + " " + state);
        assertThat(zk.exists("/status/" + id, false)).as("a status for %s", data).isNotNull();
        assertThat(zk.exists(path, false)).as("the task left the queue: %s", data).isNull();
        if (data.kind() == Kind.VALID) {
            assertThat(state).as("%s: %s", data, finished).isEqualTo("done");
        } else if (data.kind() == Kind.MALFORMED) {
            assertThat(state).as("%s: %s", data, finished).isEqualTo("failed");
        }
        assertThat(master.isActive() && worker.isActive()).as("master and worker alive after %s", data).isTrue();
    }

    enum Kind { VALID, MALFORMED, ANYTHING }

    record TaskData(Kind kind, byte[] bytes) {
        @Override
        public String toString() {
            return kind + " task data (" + bytes.length + " bytes): "
                    + abbreviate(new String(bytes, StandardCharsets.UTF_8), 300);
        }
    }

    @Provide
    Arbitrary<TaskData> taskData() {
        Arbitrary<TaskData> valid = Arbitraries.oneOf(
                Arbitraries.of("{\"command\":[\"zootask:noop\"]}", "true", "echo hi there", "  echo   spaced  ",
                        "{\"command\":\"echo as a line\"}", "{\"command\":[\"true\"],\"timeoutSeconds\":30}",
                        "{\"command\":[\"echo\"],\"unknown\":{\"x\":[1,2]},\"maxAttempts\":1}",
                        "{\"command\":[\"echo\",\"x\"],\"attempt\":1,\"submittedAt\":\"2020-01-01T00:00:00Z\"}"),
                safeText(40).map(s -> "{\"command\":[\"echo\"," + json(s) + "]}"),
                Arbitraries.integers().between(1, 3000).map(n -> "{\"command\":[\"echo\""
                        + ",\"a\"".repeat(n) + "]}"))
                .map(s -> new TaskData(Kind.VALID, s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<TaskData> malformed = Arbitraries.oneOf(
                Arbitraries.of("{", "{}", "{\"command\":[]}", "{\"command\":null}", "{\"command\":[null]}",
                        "{\"command\":[1,2]}", "{\"command\":[{}]}", "{\"command\":[[\"echo\"]]}",
                        "{\"command\":{\"echo\":1}}", "{\"command\":\"\"}", "{\"command\":\"   \"}",
                        "{\"command\":[\"\"]}", "{\"command\":[\" \"]}", "{\"command\":true}", "{\"command\":5}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":0}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":-5}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":\"10\"}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":1.5}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":1e400}",
                        "{\"command\":[\"echo\"],\"timeoutSeconds\":99999999999999999999999}",
                        "{\"command\":[\"echo\"],\"attempt\":\"first\"}", "{\"command\":[\"echo\"],\"attempt\":[]}",
                        "{\"command\":[\"echo\"],\"maxAttempts\":{}}", "{\"command\":[\"echo\"]} trailing",
                        "{\"command\":[\"echo\",]}", "{'command':['echo']}", "{\"command\":[\"echo\"]",
                        "{\"command\":[\"../../bin/sh\"]}", "{\"command\":[\"/bin/sh\",\"-c\",\"id\"]}",
                        "{\"command\":[\"sh\",\"-c\",\"echo pwned\"]}", "{\"command\":[\"./echo\"]}",
                        "{\"command\":[\"echo/..\"]}", "{\"command\":[\"..\"]}", "{\"command\":[\".\"]}",
                        "../../bin/sh -c id", "/bin/sh -c id", "sh -c id", "zootask:nope",
                        "{\"command\":[\"echo\\u0000hi\"]}", "{\"command\":[\"echo\",\"a\\u0000b\"]}",
                        "{\"command\":[\"ech\\u0000o\"]}", "{\"command\":[\"\\ud800\"]}"),
                Arbitraries.integers().between(1, 20_000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(1, 20_000).map(n -> "{\"command\":" + "[".repeat(n)
                        + "]".repeat(n) + "}"),
                Arbitraries.integers().between(1, 5_000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                printable(30).map(s -> "{\"command\":[" + json(s) + "]}")
                        .filter(s -> !s.matches(".*\\[\"(echo|true|sleep|false)\"\\].*")))
                .map(s -> new TaskData(Kind.MALFORMED, s.getBytes(StandardCharsets.UTF_8)));
        Arbitrary<TaskData> anything = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000),
                Arbitraries.strings().all().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                weirdJsonValues().map(v -> "{\"command\":[\"echo\"],\"timeoutSeconds\":" + v + "}")
                        .map(GatewayFuzzTest::utf8),
                weirdJsonValues().map(v -> ("{\"command\":[\"echo\"],\"attempt\":" + v + ",\"maxAttempts\":" + v
                        + ",\"submittedAt\":" + v + ",\"submission\":" + v + ",\"submittedBy\":" + v + "}")
                        .getBytes(StandardCharsets.UTF_8)),
                Arbitraries.integers().between(100_000, 400_000).map(n -> ("{\"command\":[\"echo\",\""
                        + "x".repeat(n) + "\"]}").getBytes(StandardCharsets.UTF_8)))
                .map(b -> new TaskData(Kind.ANYTHING, b));
        return Arbitraries.frequencyOf(Tuple.of(2, valid), Tuple.of(3, malformed), Tuple.of(3, anything));
    }

    // ---- requests -------------------------------------------------------------------------------------------------

    /**
     * One generated request. {@code open}: to the gateway without keys. {@code mustFinish}: a valid submission with a
     * key that may submit; it must be accepted and finish {@code done}. {@code {port}} in a header value stands for
     * the gateway's port.
     */
    record Request(boolean open, String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
                   boolean chunked, boolean mustFinish) {

        Request on(boolean openGateway) {
            return new Request(openGateway, method, target, headers, body, chunked, mustFinish);
        }

        byte[] bytes(int port) {
            List<Map.Entry<String, String>> actual = new ArrayList<>();
            for (Map.Entry<String, String> header : headers) {
                String value = header.getValue().equals("{idempotency}") ? UUID.randomUUID().toString()
                        : header.getValue().replace("{port}", String.valueOf(port));
                actual.add(Map.entry(header.getKey(), value));
            }
            return RawHttp.frame(method, target.replace("{port}", String.valueOf(port)), "HTTP/1.1", actual, body,
                    chunked);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            text.append(open ? "[open] " : "[keyed] ").append(abbreviate(method, 40)).append(' ')
                    .append(abbreviate(target, 300));
            for (Map.Entry<String, String> header : headers) {
                text.append("\n  ").append(abbreviate(header.getKey(), 60)).append(": ")
                        .append(abbreviate(header.getValue(), 200));
            }
            if (body != null) {
                text.append("\n  body").append(chunked ? " (chunked)" : "").append(", ").append(body.length)
                        .append(" bytes: ").append(abbreviate(new String(body, StandardCharsets.UTF_8), 300));
            }
            return text.toString();
        }
    }

    /**
     * Four kinds, so that garbage reaches every layer: anything at all (most of it stops at Jetty's parser, the
     * firewall or the key check), submissions that pass those and carry a bad body or Idempotency-Key, reads that pass
     * them and carry a bad id or query, and valid submissions.
     */
    @Provide
    Arbitrary<Request> requests() {
        return Arbitraries.frequencyOf(Tuple.of(6, anyRequests()), Tuple.of(4, badSubmissions()),
                Tuple.of(3, badReads()), Tuple.of(1, validSubmissions()));
    }

    private Arbitrary<Request> badSubmissions() {
        Arbitrary<String> contentType = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("application/json")),
                Tuple.of(2, Arbitraries.just("text/plain")),
                Tuple.of(1, contentTypes().map(type -> type.orElse("application/json"))));
        return Combinators.combine(Arbitraries.of("open", "submitter", "admin"), contentType, bodies(),
                        idempotencyKeys(), Arbitraries.of(true, false))
                .as((who, type, body, idempotency, chunked) -> {
                    List<Map.Entry<String, String>> headers = new ArrayList<>();
                    headers.add(Map.entry("Host", "127.0.0.1:{port}"));
                    headers.add(Map.entry("Content-Type", type));
                    if (!who.equals("open")) {
                        headers.add(Map.entry("Authorization", "Bearer "
                                + (who.equals("admin") ? ADMIN : SUBMITTER)));
                    }
                    idempotency.ifPresent(key -> headers.add(Map.entry("Idempotency-Key", key)));
                    return new Request(who.equals("open"), "POST", "/tasks", headers, body.orElse(null),
                            chunked && body.isPresent(), false);
                });
    }

    private Arbitrary<Request> badReads() {
        Arbitrary<String> path = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just("/tasks")),
                Tuple.of(2, ids().map(id -> "/tasks/" + id)));
        return Combinators.combine(Arbitraries.of("open", "submitter", "reader", "admin"), path, queries(),
                        accepts())
                .as((who, p, query, accept) -> {
                    List<Map.Entry<String, String>> headers = new ArrayList<>();
                    headers.add(Map.entry("Host", "127.0.0.1:{port}"));
                    if (!who.equals("open")) {
                        headers.add(Map.entry("Authorization", "Bearer " + switch (who) {
                            case "admin" -> ADMIN;
                            case "reader" -> READER;
                            default -> SUBMITTER;
                        }));
                    }
                    accept.ifPresent(a -> headers.add(Map.entry("Accept", a)));
                    return new Request(who.equals("open"), "GET", p + query, headers, null, false, false);
                });
    }

    private Arbitrary<Request> validSubmissions() {
        Arbitrary<String> json = Combinators.combine(
                Arbitraries.oneOf(
                        Arbitraries.just("[\"zootask:noop\"]"),
                        Arbitraries.just("[\"true\"]"),
                        safeText(60).list().ofMaxSize(5).map(args -> {
                            StringBuilder command = new StringBuilder("[\"echo\"");
                            args.forEach(arg -> command.append(',').append(json(arg)));
                            return command.append(']').toString();
                        })),
                Arbitraries.integers().between(1, 604_800).injectNull(0.6),
                Arbitraries.integers().between(1, 100).injectNull(0.6))
                .as((command, timeout, attempts) -> "{\"command\":" + command
                        + (timeout == null ? "" : ",\"timeoutSeconds\":" + timeout)
                        + (attempts == null ? "" : ",\"maxAttempts\":" + attempts) + "}");
        Arbitrary<Map.Entry<String, byte[]>> body = Arbitraries.oneOf(
                json.map(j -> Map.entry("application/json", j.getBytes(StandardCharsets.UTF_8))),
                json.map(j -> Map.entry("application/json;charset=UTF-8", j.getBytes(StandardCharsets.UTF_8))),
                Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(20).list()
                        .ofMaxSize(5).map(words -> Map.entry("text/plain",
                                ("echo " + String.join(" ", words)).getBytes(StandardCharsets.UTF_8))));
        return Combinators.combine(
                        Arbitraries.of("open", "submitter", "admin"),
                        body,
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false))
                .as((who, b, idempotent, chunked) -> {
                    List<Map.Entry<String, String>> headers = new ArrayList<>();
                    headers.add(Map.entry("Host", "127.0.0.1:{port}"));
                    headers.add(Map.entry("Content-Type", b.getKey()));
                    if (!who.equals("open")) {
                        headers.add(Map.entry("Authorization", "Bearer "
                                + (who.equals("admin") ? ADMIN : SUBMITTER)));
                    }
                    if (idempotent) {
                        headers.add(Map.entry("Idempotency-Key", "{idempotency}"));
                    }
                    return new Request(who.equals("open"), "POST", "/tasks", headers, b.getValue(), chunked,
                            true);
                });
    }

    private Arbitrary<Request> anyRequests() {
        Arbitrary<List<Map.Entry<String, String>>> headers = Combinators.combine(
                        hosts(), authorizations(), idempotencyKeys(), contentTypes(), accepts(),
                        extraHeaders().list().ofMaxSize(3))
                .as((host, auth, idempotency, contentType, accept, extra) -> {
                    List<Map.Entry<String, String>> all = new ArrayList<>();
                    host.ifPresent(h -> all.add(Map.entry("Host", h)));
                    auth.ifPresent(a -> all.add(Map.entry("Authorization", a)));
                    idempotency.ifPresent(k -> all.add(Map.entry("Idempotency-Key", k)));
                    contentType.ifPresent(c -> all.add(Map.entry("Content-Type", c)));
                    accept.ifPresent(a -> all.add(Map.entry("Accept", a)));
                    all.addAll(extra);
                    return all;
                });
        return Combinators.combine(
                        Arbitraries.integers().between(1, 10).map(n -> n <= 3),
                        methods(), paths(), queries(), headers, bodies(), Arbitraries.integers().between(1, 5))
                .as((isOpen, method, path, query, h, body, chunk) -> new Request(isOpen, method, path + query, h,
                        body.orElse(null), body.isPresent() && chunk == 1, false));
    }

    private static Arbitrary<String> methods() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("GET")),
                Tuple.of(12, Arbitraries.just("POST")),
                Tuple.of(6, Arbitraries.of("PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT")),
                Tuple.of(2, Arbitraries.of("get", "post", "Post", "FOO", "PROPFIND", "MOVE", "BREW", "G\u00c9T",
                        "GET\u0000", "", "-", "GET /tasks", "M".repeat(300))),
                Tuple.of(1, Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12)));
    }

    private static Arbitrary<String> paths() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("/tasks")),
                Tuple.of(10, ids().map(id -> "/tasks/" + id)),
                Tuple.of(2, Combinators.combine(ids(), segment()).as((id, s) -> "/tasks/" + id + "/" + s)),
                Tuple.of(2, Arbitraries.of("/cluster", "/actuator", "/actuator/health", "/actuator/health/liveness",
                        "/actuator/health/readiness", "/actuator/health/zookeeper", "/actuator/info",
                        "/actuator/prometheus", "/actuator/env", "/actuator/heapdump", "/actuator/shutdown",
                        "/actuator/threaddump", "/actuator/loggers", "/actuator/beans", "/actuator/mappings")),
                Tuple.of(3, Arbitraries.of("/swagger-ui.html", "/swagger-ui/index.html", "/v3/api-docs",
                        "/v3/api-docs/swagger-config", "/error", "/error/", "/", "//tasks", "/tasks/", "/tasks//",
                        "/TASKS", "/Tasks", "/tasks;jsessionid=1", "/tasks/..", "/tasks/../cluster",
                        "/tasks/%2e%2e/cluster", "/tasks%2Fx", "/tasks/%2F", "/%2e%2e/%2e%2e/etc/passwd",
                        "/../../etc/passwd", "/./tasks", "/tasks/./x", "/actuator/../cluster", "/actuator;/env",
                        "/actuator/health/../env", "/actuator/health;x=y/../../env", "*",
                        "http://127.0.0.1:{port}/tasks", "http://evil.example/tasks", "/tasks\\..\\cluster", "/%",
                        "/%%", "/tasks%", "/tasks%0", "/tasks%00", "/tasks%0a", "/index.html", "/favicon.ico",
                        "/.env", "/WEB-INF/web.xml", "/META-INF/MANIFEST.MF", "/application.yml",
                        "/tasks/task-0000000001%2F..%2F..%2Fcluster", "/tasks/%C0%AE%C0%AE", "/tasks/\u00e9",
                        "/tasks/%E2%80%AE", "/\u0000", "/tasks/\t", "/" + "a/".repeat(2000), "/tasks?",
                        "/tasks#fragment", "tasks", "/tasks;%zz", "/h;%q.y/x", "/tasks;a=%E0%A4%A/x")),
                Tuple.of(2, segment().list().ofMinSize(1).ofMaxSize(5).map(s -> "/" + String.join("/", s))));
    }

    /** Task ids: existing ones, unknown ones, path tricks, encodings, very long, any Unicode. */
    private static Arbitrary<String> ids() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(0, 3_000).map(n -> String.format("task-%010d", n))),
                Tuple.of(3, Arbitraries.of("..", ".", "%2e%2e", "%2E", "%2F", "%00", "a%2Fb", "..%2F..%2Fcluster",
                        "%252F", "task-0000000001%00", "task-0000000001%2F..", "task-0000000001;x=1", ";", "%",
                        "%zz", "%C0%AE%C0%AE", "%ff", "%E2%80%AE", "task-0000000001%20", "~", "*", "task-*",
                        "..;", "%5C..%5C", "task-", "task--1", "task-0000000001.json", "task-00000000001",
                        "TASK-0000000001", "task-\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660")),
                Tuple.of(2, Arbitraries.strings().withChars('9').ofMinLength(10).ofMaxLength(80)
                        .map(d -> "task-" + d)),
                Tuple.of(1, Arbitraries.longs().map(n -> "task-" + n)),
                Tuple.of(1, Arbitraries.integers().between(150, 12_000).map(n -> "a".repeat(n))),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40).map(GatewayFuzzTest::percentEncode)),
                Tuple.of(1, Arbitraries.strings().all().ofMinLength(1).ofMaxLength(12).map(GatewayFuzzTest::raw)),
                Tuple.of(2, printable(40).map(s -> s.replace("?", "%3F").replace("#", "%23"))));
    }

    private static Arbitrary<String> segment() {
        return Arbitraries.oneOf(
                Arbitraries.of("..", ".", "", "%2e%2e", "x", "status", "cancel", "%2F", ";", "~root"),
                printable(20).map(s -> s.replace("?", "%3F").replace("#", "%23").replace("/", "%2F")),
                Arbitraries.strings().all().ofMaxLength(20).map(GatewayFuzzTest::percentEncode));
    }

    private static Arbitrary<String> queries() {
        Arbitrary<String> names = Arbitraries.oneOf(Arbitraries.of("waitSeconds", "limit", "state", "cursor"),
                Arbitraries.of("WAITSECONDS", "limit[]", "state%00", "", "_method", "cursor.x", "%"),
                printable(10).map(GatewayFuzzTest::percentEncode));
        Arbitrary<String> parameter = Arbitraries.frequencyOf(
                Tuple.of(8, Combinators.combine(names, values()).as((n, v) -> n + "=" + v)),
                Tuple.of(1, Arbitraries.of("waitSeconds", "=", "&", "%", "a=%zz", "waitSeconds=1&waitSeconds=2",
                        "limit=1&limit=x", "state", "==", "%00=%00", "cursor=%", "a=b=c")));
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just("")),
                Tuple.of(6, parameter.list().ofMinSize(1).ofMaxSize(4).map(p -> "?" + String.join("&", p))),
                Tuple.of(1, printable(60).map(s -> "?" + s.replace("#", ""))),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20).map(s -> "?" + raw(s))));
    }

    private static Arbitrary<String> values() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(-5, 70).map(String::valueOf)),
                Tuple.of(4, Arbitraries.of("", "-1", "61", "2147483647", "2147483648", "-2147483649",
                        "99999999999999999999", "1e3", "0x10", "%205", "5.0", "%2B5", "%D9%A3", "NaN", "null",
                        "true", "queued", "assigned", "running", "done", "failed", "timed_out", "cancelled", "DONE", "Running",
                        "%00", "%zz", "%", "task-0000000001", "..", "task-9999999999", "task-", "%2F..%2F")),
                Tuple.of(2, Arbitraries.integers().between(0, 3_000).map(n -> String.format("task-%010d", n))),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(30).map(GatewayFuzzTest::percentEncode)),
                Tuple.of(1, Arbitraries.integers().between(1_000, 9_000).map(n -> "a".repeat(n))));
    }

    private static Arbitrary<java.util.Optional<String>> hosts() {
        return Arbitraries.frequencyOf(
                Tuple.of(30, Arbitraries.just(java.util.Optional.of("127.0.0.1:{port}"))),
                Tuple.of(1, Arbitraries.just(java.util.Optional.<String>empty())),
                Tuple.of(1, Arbitraries.of("evil.example", "", "127.0.0.1:99999", "[::1", "a b", "h".repeat(300),
                        "localhost:{port}", "127.0.0.1:{port}, evil.example", "\u00e9xample").map(
                        java.util.Optional::of)));
    }

    private static Arbitrary<java.util.Optional<String>> authorizations() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.just("Bearer " + ADMIN)),
                Tuple.of(4, Arbitraries.just("Bearer " + SUBMITTER)),
                Tuple.of(2, Arbitraries.just("Bearer " + READER)),
                Tuple.of(2, Arbitraries.just(null)),
                Tuple.of(2, Arbitraries.of("", "Bearer", "Bearer ", "Bearer  ", "bearer " + ADMIN,
                        "BEARER " + SUBMITTER, "Bearer " + ADMIN + " ", "Bearer " + ADMIN + "x",
                        "Bearer  " + ADMIN, "Basic YWRtaW46YWRtaW4=", "Token " + ADMIN, "Bearer\t" + ADMIN,
                        "Bearer %00", "Negotiate YII=", "Bearer " + ADMIN + "\u0000", "Bearer \u00e9\u00e9",
                        "Bearer " + ADMIN + "," + READER)),
                Tuple.of(1, printable(200).map(s -> "Bearer " + s)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(50).map(GatewayFuzzTest::headerValue)),
                Tuple.of(1, Arbitraries.integers().between(1_000, 7_000).map(n -> "Bearer " + "k".repeat(n))))
                .map(java.util.Optional::ofNullable);
    }

    private static Arbitrary<java.util.Optional<String>> idempotencyKeys() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(null)),
                Tuple.of(2, Arbitraries.of("fuzz-key-1", "fuzz-key-2", "fuzz-key-3")),
                Tuple.of(1, Arbitraries.just("{idempotency}")),
                Tuple.of(2, Arbitraries.of("", " ", "a b", "\u00e9t\u00e9", "key\u0000", "key\u0007", "k\u007f")),
                Tuple.of(1, Arbitraries.integers().between(250, 300).map(n -> "k".repeat(n))),
                Tuple.of(1, Arbitraries.integers().between(5_000, 12_000).map(n -> "k".repeat(n))),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(40).map(GatewayFuzzTest::headerValue)))
                .map(java.util.Optional::ofNullable);
    }

    private static Arbitrary<java.util.Optional<String>> contentTypes() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("application/json")),
                Tuple.of(2, Arbitraries.just("text/plain")),
                Tuple.of(2, Arbitraries.just(null)),
                Tuple.of(4, Arbitraries.of("application/json; charset=utf-8", "application/json;charset=UTF-16",
                        "application/json; charset=bogus", "text/plain; charset=nonexistent-charset",
                        "text/plain;charset=ISO-8859-1", "text/plain; charset=UTF-32", "application/xml", "text/xml",
                        "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
                        "multipart/form-data", "application/problem+json", "application/*", "*/*", "application",
                        "/", ";", "application/json;;;", "application/json; charset=\"", "text/html",
                        "application/octet-stream", "application/cbor", "application/x-java-serialized-object",
                        "application/json-patch+json", "application/vnd.spring-boot.actuator.v3+json",
                        "application/yaml", "application/x-ndjson", "text/event-stream", "application/json, text/plain",
                        "APPLICATION/JSON", "application/json; q=0.5", "application/json; boundary=")),
                Tuple.of(1, printable(40)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(30).map(GatewayFuzzTest::headerValue)))
                .map(java.util.Optional::ofNullable);
    }

    private static Arbitrary<java.util.Optional<String>> accepts() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(null)),
                Tuple.of(3, Arbitraries.of("application/json", "application/problem+json", "text/html",
                        "application/xml", "text/plain", "*/*", "image/png", "application/*", "garbage;;",
                        "text/event-stream", "application/json;q=0", "application/yaml", "text/html;q=0.9, */*;q=0",
                        "application/vnd.spring-boot.actuator.v3+json", "")),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(30).map(GatewayFuzzTest::headerValue)))
                .map(java.util.Optional::ofNullable);
    }

    private static Arbitrary<Map.Entry<String, String>> extraHeaders() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        Map.entry("X-Forwarded-For", "1.2.3.4"), Map.entry("X-Forwarded-Host", "evil.example"),
                        Map.entry("X-Forwarded-Proto", "https"), Map.entry("X-Forwarded-Prefix", "/admin"),
                        Map.entry("Forwarded", "for=1.2.3.4;host=evil"), Map.entry("Origin", "http://evil.example"),
                        Map.entry("Cookie", "JSESSIONID=abc; SESSION=x"), Map.entry("Range", "bytes=0-10"),
                        Map.entry("If-None-Match", "*"), Map.entry("If-Modified-Since", "garbage"),
                        Map.entry("Content-Encoding", "gzip"), Map.entry("Content-Encoding", "br"),
                        Map.entry("Expect", "100-continue"), Map.entry("Upgrade", "h2c"),
                        Map.entry("Upgrade", "websocket"), Map.entry("X-HTTP-Method-Override", "DELETE"),
                        Map.entry("Access-Control-Request-Method", "POST"),
                        Map.entry("Authorization", "Bearer " + SUBMITTER), Map.entry("Authorization", "garbage"),
                        Map.entry("Idempotency-Key", "fuzz-key-1"), Map.entry("Content-Type", "text/plain"),
                        Map.entry("Host", "evil.example"), Map.entry("Accept-Charset", "utf-7"),
                        Map.entry("Accept-Language", "\u00e9"), Map.entry("TE", "trailers"),
                        Map.entry("X-Request-Id", "${jndi:ldap://x/a}"), Map.entry("User-Agent", "() { :; }; id")),
                Combinators.combine(Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20),
                                Arbitraries.strings().all().ofMaxLength(40).map(GatewayFuzzTest::headerValue))
                        .as(Map::entry));
    }

    private static Arbitrary<java.util.Optional<byte[]>> bodies() {
        Arbitrary<String> json = jsonBodies();
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(null)),
                Tuple.of(8, json.map(GatewayFuzzTest::utf8)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(200).map(GatewayFuzzTest::utf8)),
                Tuple.of(1, Arbitraries.of("", " ", "\n", "echo \"unterminated", "echo 'a b'", "echo \\", "echo $HOME",
                        "echo\u0000hi", "../../bin/sh -c id", "sh -c id", "\u00e9cho", "echo " + "a ".repeat(300))
                        .map(GatewayFuzzTest::utf8)),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(3_000)),
                Tuple.of(1, Arbitraries.integers().between(60_000, 70_000).map(n -> {
                    byte[] big = new byte[n];
                    java.util.Arrays.fill(big, (byte) 'x');
                    return big;
                })),
                Tuple.of(1, Arbitraries.integers().between(2, 30_000).map(n -> utf8("{\"command\":" + "[".repeat(n)
                        + "]".repeat(n) + "}"))),
                Tuple.of(1, Arbitraries.integers().between(2, 30_000).map(n -> utf8("{\"a\":".repeat(n) + "1"
                        + "}".repeat(n)))),
                Tuple.of(1, Arbitraries.of("a=b&command=echo", "--xyz\r\nContent-Disposition: form-data; "
                        + "name=\"command\"\r\n\r\necho\r\n--xyz--\r\n", "<task><command>echo</command></task>",
                        "\uFEFF{\"command\":[\"echo\",\"bom\"]}").map(GatewayFuzzTest::utf8)))
                .map(java.util.Optional::ofNullable);
    }

    /** JSON, mostly in the shape of a submission, with every part possibly wrong. */
    private static Arbitrary<String> jsonBodies() {
        Arbitrary<String> command = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("[]", "null", "\"echo hi\"", "\"\"", "{}", "[null]", "[{}]", "[[]]",
                        "[true]", "[1,2]", "[\"\"]", "[\" \"]", "[\"\\u0000\"]", "[\"echo\",\"\\u0000\"]",
                        "[\"../../bin/sh\"]", "[\"/bin/sh\",\"-c\",\"id\"]", "[\"sh\",\"-c\",\"echo pwned\"]",
                        "[\"./echo\"]", "[\"echo/..\"]", "[\"\\ud800\"]", "[\"echo\",\"\\ud800\"]",
                        "[\"echo\",\"\\udfff\\ud800x\"]", "[\"zootask:noop\"]", "[\"zootask:nope\"]",
                        "[\"echo\",\"$(id)\",\";\",\"|\",\"`id`\"]", "[\"echo\",1.5e300,-0,true,null]",
                        "[\"echo\",{\"a\":1}]", "[\"echo\"", "[\"echo\",]", "[\"echo\" \"x\"]", "['echo']",
                        "[\"\\u0065cho\",\"\\/\"]", "[\"echo\",\"\\x41\"]", "[\"sleep\",\"0\"]")),
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(30).map(GatewayFuzzTest::json).list()
                        .ofMaxSize(6).map(args -> "[" + String.join(",", args) + "]")),
                Tuple.of(1, Arbitraries.integers().between(257, 6_000).map(n -> "[\"echo\"" + ",\"a\"".repeat(n)
                        + "]")),
                Tuple.of(1, Arbitraries.integers().between(4_097, 9_000).map(n -> "[\"echo\",\"" + "x".repeat(n)
                        + "\"]")),
                Tuple.of(1, Arbitraries.integers().between(1, 17).map(n -> "[\"echo\"" + (",\"" + "x".repeat(4_096)
                        + "\"").repeat(n) + "]")));
        Arbitrary<String> number = Arbitraries.oneOf(weirdJsonValues(), Arbitraries.just(null));
        Arbitrary<String> submission = Combinators.combine(command, number, number,
                        Arbitraries.of("", ",\"extra\":{}", ",\"command\":[\"true\"]", ",\"__proto__\":{\"x\":1}",
                                ",\"submittedBy\":\"admin\"", ",\"attempt\":7", ",\"submission\":\"forged\"",
                                ",\"command\":null", ",", ",,", " /* comment */"),
                        Arbitraries.of("", "", "", "}", "]", " trailing", "\u0000", "{}", "\n\n"))
                .as((c, timeout, attempts, extra, tail) -> "{\"command\":" + c
                        + (timeout == null ? "" : ",\"timeoutSeconds\":" + timeout)
                        + (attempts == null ? "" : ",\"maxAttempts\":" + attempts) + extra + "}" + tail);
        return Arbitraries.frequencyOf(
                Tuple.of(8, submission),
                Tuple.of(1, Arbitraries.of("", "null", "[]", "{}", "\"string\"", "123", "true", "[{\"command\":"
                        + "[\"echo\"]}]", "{\"Command\":[\"echo\"]}", "{\"command\":[\"echo\"],}", "{", "}", "{{}}",
                        "{\"command\":[\"echo\"]}{\"command\":[\"echo\"]}", "\u0000", "NaN")),
                Tuple.of(1, weirdJsonValues().map(v -> "{\"command\":[\"echo\"],\"timeoutSeconds\":" + v + "}")));
    }

    /** Values for numeric fields: out of range, not whole, not numbers. */
    private static Arbitrary<String> weirdJsonValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-1", "1", "3", "100", "101", "604800", "604801", "2147483647", "2147483648",
                        "-2147483648", "-2147483649", "99999999999999999999999", "1e400", "-1e400", "1e2", "1.5",
                        "-0", "0.0", "\"10\"", "\"abc\"", "true", "null", "[]", "{}", "[1]", "NaN", "Infinity",
                        "0x10", "01", "1_000", "\"\\u0000\""),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TEN.pow(10).negate(),
                        java.math.BigInteger.TEN.pow(30)).map(String::valueOf));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Text an allowlisted command may carry: no NUL, no lone surrogate. */
    private static Arbitrary<String> safeText(int max) {
        return Arbitraries.strings().withCharRange('\u0001', '\ud7ff').withCharRange('\ue000', '\ufffd')
                .ofMaxLength(max);
    }

    private static Arbitrary<String> printable(int max) {
        return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(max);
    }

    /** A JSON string literal; non-ASCII as escapes or raw, lone surrogates escaped (they have no UTF-8). */
    private static String json(String value) {
        StringBuilder out = new StringBuilder("\"");
        boolean escapeAll = (value.hashCode() & 1) == 0;
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (escapeAll && c > 0x7e)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** Every character outside the unreserved set percent-encoded (UTF-8), as a URI should carry it. */
    private static String percentEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Any text as it stands in a request line, except what would end the line (the request would be two). */
    private static String raw(String value) {
        return value.replace("\r", "").replace("\n", "");
    }

    /** Any text as a header value, except a line break (that would be a second header, or the end of them). */
    private static String headerValue(String value) {
        return value.replace("\r", "").replace("\n", "");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text, int max) {
        String printable = text.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
        return printable.length() <= max ? printable
                : printable.substring(0, max) + "... (" + printable.length() + " chars)";
    }

    /**
     * The counters of every parent a request could write under. {@code cversion} grows with every create and every
     * delete of a child, so equal snapshots mean nothing was created, not even something created and deleted again.
     */
    record Snapshot(Map<String, String> counters) {

        static Snapshot of(ZooKeeper zk) throws KeeperException, InterruptedException {
            Map<String, String> counters = new LinkedHashMap<>();
            for (String parent : List.of("/", "/tasks", "/status", "/idempotency", "/running", "/assign",
                    "/workers")) {
                counters.put(parent, describe(zk.exists(parent, false)));
            }
            for (String worker : zk.getChildren("/assign", false)) {
                counters.put("/assign/" + worker, describe(zk.exists("/assign/" + worker, false)));
            }
            return new Snapshot(counters);
        }

        private static String describe(Stat stat) {
            return stat == null ? "absent" : "cversion " + stat.getCversion() + ", children " + stat.getNumChildren();
        }
    }
}
