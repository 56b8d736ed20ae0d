package io.zootask.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway as the benchmark's control path reaches it (submit one task, read a task, read a metric), over the JDK's
 * {@code HttpClient}. Not for load: {@link LoadGenerator} is.
 */
final class GatewayClient {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String NOOP_JSON = "{\"command\":[\"zootask:noop\"]}";

    private final String base = "http://127.0.0.1:" + BenchCluster.GATEWAY_PORT;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(16)).build();

    String base() {
        return base;
    }

    /** POSTs the task until the gateway accepts it; its id. */
    String submit(String json) {
        while (true) {
            String body = send(HttpRequest.newBuilder(URI.create(base + "/tasks"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .build());
            String id = body == null ? null : field(body, "id");
            if (id != null) {
                return id;
            }
        }
    }

    /** A field of the task as GET /tasks/{id} answers it, or null. */
    String taskField(String id, String name) {
        String body = get("/tasks/" + id);
        return body == null ? null : field(body, name);
    }

    String state(String id) {
        return taskField(id, "state");
    }

    /** Sum of a Prometheus metric's samples whose line starts with {@code prefix} (name, and labels if given). */
    double metric(String prefix) {
        String text = get("/actuator/prometheus");
        if (text == null) {
            return -1;
        }
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix) && (line.length() == prefix.length()
                    || " {".indexOf(line.charAt(prefix.length())) >= 0 || prefix.endsWith("\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** A top-level field of a JSON object as text, or null when it is absent, null, or the text is no JSON. */
    static String field(String json, String name) {
        try {
            JsonNode value = JSON.readTree(json).get(name);
            return value == null || value.isNull() ? null : value.asString();
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /** {@code DELETE /tasks/{id}}: asks for the task back; whether the gateway accepted the request. */
    boolean cancel(String id) {
        return send(HttpRequest.newBuilder(URI.create(base + "/tasks/" + id)).DELETE().build()) != null;
    }

    /** The task's state once it is {@code state}, long-polling at most {@code within}; or its last state seen. */
    String awaitState(String id, String state, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String seen = null;
        while (System.nanoTime() < deadline) {
            String body = get("/tasks/" + id + "?waitSeconds=5");
            seen = body == null ? null : field(body, "state");
            if (state.equals(seen)) {
                return seen;
            }
        }
        return seen;
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    /** The body of a 2xx answer, or null (any other answer, or no connection). */
    private String send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() < 300 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
