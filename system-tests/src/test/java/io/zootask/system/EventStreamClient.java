package io.zootask.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** A client of a {@code text/event-stream} endpoint, as a browser's reader would parse it: frames of id/event/data. */
final class EventStreamClient implements AutoCloseable {

    /** One frame; {@code id} null when the frame had none. */
    record Event(String id, String type, JsonNode data) {
    }

    private static final Event END = new Event(null, "<end of stream>", null);

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Event> seen = new ArrayList<>();
    private final CompletableFuture<Void> reader;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = CompletableFuture.runAsync(this::read);
    }

    /** Opens {@code path} on the gateway; {@code headers} as name, value pairs (a key, a Last-Event-ID). */
    static EventStreamClient open(Gateway gateway, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.base() + path))
                .header("Accept", "text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .send(request.GET().build(), HttpResponse.BodyHandlers.ofLines());
        return new EventStreamClient(response);
    }

    int status() {
        return response.statusCode();
    }

    String contentType() {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    private void read() {
        String id = null;
        String type = "message";
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, type, Gateway.JSON.readTree(data.toString())));
                    }
                    id = null;
                    type = "message";
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (RuntimeException closed) {
            // closed by us
        } finally {
            events.add(END);
        }
    }

    /** The next event matching {@code wanted} within {@code within}, skipping (but remembering) the others. */
    Event next(Predicate<Event> wanted, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no matching event within " + within + "; seen: " + seen);
            }
            if (event == END) {
                events.add(END);
                throw new AssertionError("the stream ended; seen: " + seen);
            }
            seen.add(event);
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    /** The next task event about {@code taskId}. */
    Event nextOf(String taskId, Duration within) throws InterruptedException {
        return next(e -> e.type().equals("task") && taskId.equals(e.data().get("id").asString()), within);
    }

    /** Whether the server ended the stream within {@code within} (after the events already received). */
    boolean ends(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == END) {
                events.add(END);
                return true;
            }
            if (event != null) {
                seen.add(event);
            }
        }
        return false;
    }

    List<Event> seen() {
        return seen;
    }

    @Override
    public void close() {
        reader.cancel(true);
        response.body().close();
    }
}
