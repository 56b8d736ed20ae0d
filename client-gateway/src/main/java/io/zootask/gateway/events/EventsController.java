package io.zootask.gateway.events;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.zootask.gateway.security.Caller;
import io.zootask.gateway.tasks.TaskService;
import io.zootask.gateway.tasks.TaskView;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The live views: {@code GET /events} (every change the caller may see), {@code GET /tasks/{id}/events} (one task,
 * until it ends) and {@code GET /cluster/history}.
 *
 * <p>A stream is a servlet async response written by {@link EventStream}, not an {@code SseEmitter}: the emitter
 * writes each event with a blocking write on the thread that sends it, and a thousand clients would need a thread
 * each whenever some of them read slowly.
 */
@RestController
@Tag(name = "events", description = "Server-sent events: every task's changes and the cluster's, live")
class EventsController {

    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final EventHub hub;
    private final TaskService tasks;
    private final ActivityHistory activity;
    private final EventsProperties properties;
    private final Clock clock;

    EventsController(EventHub hub, TaskService tasks, ActivityHistory activity, EventsProperties properties,
                     Clock clock) {
        this.hub = hub;
        this.tasks = tasks;
        this.activity = activity;
        this.properties = properties;
        this.clock = clock;
    }

    @Operation(summary = "Follow every task and the cluster",
            description = "text/event-stream. event: task (id, state, worker, attempt, times, at: when ZooKeeper"
                    + " recorded it) for every state change of every task the key may see (a submit key: its own);"
                    + " event: cluster (as GET /cluster, without the running lists) first and whenever the cluster"
                    + " changes, for read and admin keys; event: reset when the client missed events no longer kept"
                    + " (reload). Reconnect with Last-Event-ID to get what was missed. Send the key in the"
                    + " Authorization header (read the stream with fetch, not EventSource): never in the URL.")
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void all(@Parameter(description = "the id of the last event received, to resume after it")
             @RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId,
             @Parameter(description = "only the events of tasks ending (done, failed, timed_out, cancelled) and"
                     + " resets, no cluster events: what a program waiting for its tasks' results needs; the"
                     + " gateway then reads nothing for the other changes")
             @RequestParam(name = "endsOnly", defaultValue = "false") boolean endsOnly,
             @Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
             HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamOfAll source = hub.sourceForAll(known(caller), endsOnly, lastEventId);
        hub.follow(open(request, response, source, hub::unfollow), endsOnly);
    }

    @Operation(summary = "Follow one task until it ends",
            description = "text/event-stream: the task as it is now (event: task), then each change, and the stream"
                    + " ends after its terminal state. 404 for an unknown task (or another key's, for a submit key).")
    @GetMapping(path = "/tasks/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void task(@Parameter(example = "task-0000000000") @PathVariable String id,
              @Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
              HttpServletRequest request, HttpServletResponse response) throws IOException {
        StreamOfOneTask source = new StreamOfOneTask(id);
        hub.hold(source); // before the read: a change meanwhile is held, not lost
        TaskView current;
        try {
            current = tasks.get(id, known(caller));
        } catch (RuntimeException notVisible) {
            hub.release(source);
            throw notVisible; // 404, 503...: answered as a problem, nothing was committed yet
        }
        source.begin(hub.snapshotOf(TaskEvent.of(current, clock.instant())));
        source.attach(open(request, response, source, stream -> hub.release(source)));
    }

    @Operation(summary = "Tasks submitted and finished, and the queue depth, over the last minutes",
            description = "Points oldest first, intervalSeconds apart, counted by this gateway from the event feed"
                    + " since it started.")
    @GetMapping(path = "/cluster/history", produces = MediaType.APPLICATION_JSON_VALUE)
    ActivityHistory.History history() {
        return activity.history();
    }

    /**
     * Commits the response's headers on this thread (the filters' wrappers add theirs on commit: security headers),
     * then hands the response to an {@link EventStream}.
     */
    private EventStream open(HttpServletRequest request, HttpServletResponse response, FrameSource source,
                             Consumer<EventStream> onEnd) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE + ";charset=UTF-8");
        response.setHeader("X-Accel-Buffering", "no"); // a proxy must pass each event on, not buffer the stream
        response.flushBuffer();
        AsyncContext async = request.startAsync();
        async.setTimeout(properties.maxConnection().toMillis());
        EventStream stream = new EventStream(async, async.getResponse().getOutputStream(), source, hub.senders(),
                onEnd);
        stream.start();
        return stream;
    }

    private static Caller known(Caller caller) {
        return caller != null ? caller : new Caller(null, Set.of());
    }
}
