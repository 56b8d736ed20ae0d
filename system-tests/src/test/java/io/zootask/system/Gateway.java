package io.zootask.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway as a user reaches it: over HTTP, reading JSON. */
final class Gateway {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfigurableApplicationContext app;
    private final HttpClient http;
    private final String apiKey;

    Gateway(ConfigurableApplicationContext app) {
        this(app, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build(), null);
    }

    private Gateway(ConfigurableApplicationContext app, HttpClient http, String apiKey) {
        this.app = app;
        this.http = http;
        this.apiKey = apiKey;
    }

    /** The same gateway, every request sending {@code Authorization: Bearer <apiKey>}. */
    Gateway withKey(String apiKey) {
        return new Gateway(app, http, apiKey);
    }

    ConfigurableApplicationContext app() {
        return app;
    }

    String base() {
        return "http://127.0.0.1:" + ZootaskCluster.port(app);
    }

    Reply post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply postJson(String body) {
        return post("/tasks", "application/json", body);
    }

    /** POST /tasks with an {@code Idempotency-Key}. */
    Reply postJson(String body, String idempotencyKey) {
        return send(HttpRequest.newBuilder(URI.create(base() + "/tasks")).header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The ids of a {@code GET /tasks} page, in its order, asserting the 200. */
    static List<String> taskIds(Reply page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        List<String> ids = new java.util.ArrayList<>();
        page.json().get("items").forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }

    /** Submits and returns the new task's id, asserting the 202. */
    String submit(String json) {
        Reply reply = postJson(json);
        if (reply.status() != 202) {
            throw new AssertionError("expected 202, got " + reply.status() + ": " + reply.body());
        }
        return reply.json().get("id").asString();
    }

    Reply get(String path) {
        return getAbsolute(base() + path);
    }

    /** {@code DELETE /tasks/{id}}: asks for the task back. */
    Reply delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE());
    }

    Reply getAbsolute(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    JsonNode task(String id) {
        return get("/tasks/" + id).json();
    }

    /** Long-polls until the task is terminal (the gateway answers at once when it finishes). */
    JsonNode awaitFinished(String id, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode task;
        do {
            task = get("/tasks/" + id + "?waitSeconds=" + Math.max(1, Math.min(30,
                    Duration.ofNanos(deadline - System.nanoTime()).toSeconds()))).json();
            String state = task.get("state").asString();
            if (state.equals("done") || state.equals("failed") || state.equals("timed_out")
                    || state.equals("cancelled")) {
                return task;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("task " + id + " did not finish within " + within + ": " + task);
    }

    Reply send(HttpRequest.Builder request) {
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(90)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("Retry-After").orElse(null),
                    response.headers().firstValue("Location").orElse(null), response.body(),
                    response.headers().map());
        } catch (Exception e) {
            throw new IllegalStateException("HTTP request failed: " + e, e);
        }
    }

    /** The answer is an RFC 7807 problem with this status and a {@code detail} that says (at least) this. */
    static JsonNode assertProblem(Reply reply, int status, String detail) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).contains(detail);
        return problem;
    }

    record Reply(int status, String contentType, String retryAfter, String location, String body,
                 Map<String, List<String>> headers) {

        Reply(int status, String contentType, String retryAfter, String location, String body) {
            this(status, contentType, retryAfter, location, body, Map.of());
        }

        /** The first value of a response header (names are case-insensitive, as HTTP says), or null. */
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }
}
