package io.zootask.gateway.tasks;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.zootask.gateway.GatewayProperties;
import io.zootask.gateway.errors.InvalidRequestException;
import io.zootask.gateway.security.Caller;
import io.zootask.protocol.ProtocolCodec;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
// Answers are JSON, declared here so that a request whose Accept header excludes JSON is refused (406) before the
// handler runs: negotiated afterwards, a POST was written to ZooKeeper and then answered 406, and an Accept of
// application/problem+json got a task labelled as a problem.
@RequestMapping(path = "/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "tasks", description = "Submit commands and watch them finish")
class TaskController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final String WAIT_AFTER_SUBMIT = "0 to 60: wait up to this long for the task to finish, as"
            + " GET /tasks/{id}?waitSeconds=N would (200 with the finished task, or 202 with the task as it is when the"
            + " wait is over). One request instead of two; not for a batch";

    private final TaskService tasks;
    private final TaskCanceller canceller;
    private final TaskWaiter waiter;
    private final GatewayProperties limits;

    TaskController(TaskService tasks, TaskCanceller canceller, TaskWaiter waiter, GatewayProperties limits) {
        this.tasks = tasks;
        this.canceller = canceller;
        this.waiter = waiter;
        this.limits = limits;
    }

    @Operation(summary = "Submit a task, or a batch of tasks",
            description = "Queues a command to run on some worker. The command runs without a shell; the worker only"
                    + " runs executables on its allowlist (by default echo, sleep, true, false). A JSON array of up to "
                    + TaskSubmissionBody.MAX_BATCH + " such tasks is a batch: answered with the array of created"
                    + " tasks in the same order, created all in one ZooKeeper transaction or not at all (a refused"
                    + " task's index is named, as in \"[2]: priority must be...\"); an Idempotency-Key covers the"
                    + " whole batch. A batch's body may be up to zootask.gateway.max-batch-body-size (512 KB).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(oneOf = {SubmitTaskRequest.class, TaskBatchSchema.class}),
                            examples = {
                                    @ExampleObject(name = "echo", value = "{\"command\":[\"echo\",\"hello\"]}"),
                                    @ExampleObject(name = "sleep with timeout",
                                            value = "{\"command\":[\"sleep\",\"2\"],\"timeoutSeconds\":60}"),
                                    @ExampleObject(name = "retry with backoff", value = "{\"command\":[\"false\"],"
                                            + "\"retry\":{\"maxAttempts\":3,\"initialIntervalSeconds\":1,"
                                            + "\"backoffCoefficient\":2.0,\"maximumIntervalSeconds\":60}}"),
                                    @ExampleObject(name = "delayed",
                                            value = "{\"command\":[\"echo\",\"later\"],\"delaySeconds\":30}"),
                                    @ExampleObject(name = "not before",
                                            value = "{\"command\":[\"echo\",\"at nine\"],"
                                                    + "\"notBefore\":\"2030-01-01T09:00:00Z\"}"),
                                    @ExampleObject(name = "urgent", value = "{\"command\":[\"echo\",\"first\"],"
                                            + "\"priority\":9}"),
                                    @ExampleObject(name = "on a gpu worker",
                                            value = "{\"command\":[\"echo\",\"gpu\"],"
                                                    + "\"requires\":{\"pool\":\"gpu\"}}"),
                                    @ExampleObject(name = "a batch", value = "[{\"command\":[\"echo\",\"one\"]},"
                                            + "{\"command\":[\"echo\",\"two\"],\"priority\":9},"
                                            + "{\"command\":[\"sleep\",\"1\"],\"timeoutSeconds\":10}]")}),
                    @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string"),
                            examples = @ExampleObject(name = "command line", value = "echo hello"))}),
            responses = {
                    @ApiResponse(responseCode = "200", description = "with waitSeconds: the task, finished within"
                            + " the wait (done, failed, timed_out or cancelled)",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(implementation = TaskView.class))),
                    @ApiResponse(responseCode = "202", description = "accepted; follow Location to watch it. A"
                            + " batch: the array of its tasks, in order (no Location; each is /tasks/{id})",
                            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                    schema = @Schema(oneOf = {TaskView.class, TaskViewsSchema.class}))),
                    @ApiResponse(responseCode = "400", description = "invalid task (a batch: the detail names the"
                            + " index of the task refused); an empty batch, or one of more than "
                            + TaskSubmissionBody.MAX_BATCH + " tasks",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "422", description = "Idempotency-Key reused for another request",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "401", description = "no API key, or not a valid one",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "403", description = "the key has neither the submit nor the admin role",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "429", description = "queue full, or the key is over its rate limit;"
                            + " see Retry-After",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "413", description = "body too large, or a batch too large for one"
                            + " ZooKeeper transaction (1 000 000 bytes)",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "503", description = "ZooKeeper unreachable; see Retry-After",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class)))})
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> submitJson(@RequestBody(required = false) TaskSubmissionBody body,
                                 @Parameter(description = WAIT_AFTER_SUBMIT, example = "30")
                                 @RequestParam(required = false) Integer waitSeconds,
                                 @Parameter(description = "makes retries of this POST return the same task (the"
                                         + " same tasks, for a batch)")
                                 @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
                                 @Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
                                 HttpServletRequest request, HttpServletResponse response) {
        Duration wait = requestedWait(waitSeconds); // refused before anything is written
        if (body == null) {
            throw new InvalidRequestException("a JSON body is required, e.g. {\"command\":[\"echo\",\"hello\"]}");
        }
        if (body.isBatch()) {
            if (!wait.isZero()) {
                throw new InvalidRequestException("waitSeconds is for one task; follow a batch's tasks with"
                        + " GET /events, or long-poll each with GET /tasks/{id}?waitSeconds=N");
            }
            return accepted(tasks.submitBatch(body.batch(), key, known(caller)));
        }
        return acceptedOrAwaited(tasks.submit(body.single(), key, known(caller)), wait, known(caller), request,
                response);
    }

    @Operation(hidden = true)
    @PostMapping(consumes = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<TaskView> submitText(@RequestBody String commandLine,
                                        @RequestParam(required = false) Integer waitSeconds,
                                        @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
                                        @AuthenticationPrincipal Caller caller,
                                        HttpServletRequest request, HttpServletResponse response) {
        Duration wait = requestedWait(waitSeconds);
        return acceptedOrAwaited(tasks.submit(SubmitTaskRequest.ofCommand(
                ProtocolCodec.splitCommandLine(commandLine)), key, known(caller)), wait, known(caller), request,
                response);
    }

    @Operation(summary = "Get a task, optionally waiting for it to finish",
            description = "With waitSeconds, answers as soon as the task is done, failed, timed_out or cancelled"
                    + " (a failed execution that runs again is not an answer: the wait goes on), or with its current"
                    + " state when the wait is over. attempts lists the executions so far. A queued task may carry a"
                    + " message saying what it waits for (a worker with the labels it requires, its notBefore). A key"
                    + " with only the submit role gets 404 for a task another key submitted.")
    @GetMapping("/{id}")
    ResponseEntity<TaskView> get(
            @Parameter(example = "task-0000000000") @PathVariable String id,
            @Parameter(description = "0 to 60", example = "30") @RequestParam(required = false) Integer waitSeconds,
            @Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            HttpServletRequest request) {
        Duration wait = requestedWait(waitSeconds);
        if (wait.isZero()) {
            return ResponseEntity.ok(tasks.get(id, known(caller)));
        }
        TaskService.WaitStart start = tasks.getToWaitFor(id, known(caller));
        if (start.task().state().isTerminal()) {
            return ResponseEntity.ok(start.task());
        }
        waiter.await(start, wait, request);
        return null; // answered by the waiter, asynchronously
    }

    @Operation(summary = "Cancel a task",
            description = "Asks for the task back (creates /cancel/<id>): a queued or assigned task ends cancelled"
                    + " without running, a running one is killed with its whole process tree. 202 with the task as it"
                    + " is now; 200 if it is cancelled already; 409 if it finished otherwise. A key with the submit"
                    + " role may cancel only its own tasks (404 for another key's); read may not cancel.",
            responses = {
                    @ApiResponse(responseCode = "202", description = "cancel requested; follow Location to watch it"),
                    @ApiResponse(responseCode = "200", description = "cancelled already"),
                    @ApiResponse(responseCode = "404", description = "no such task (or another key's)",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "409", description = "finished as done, failed or timed_out",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class))),
                    @ApiResponse(responseCode = "403", description = "the key has neither the submit nor the admin role",
                            content = @Content(mediaType = "application/problem+json",
                                    schema = @Schema(implementation = ProblemDetail.class)))})
    @DeleteMapping("/{id}")
    ResponseEntity<TaskView> cancel(@Parameter(example = "task-0000000000") @PathVariable String id,
                                    @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        TaskCanceller.Outcome outcome = canceller.cancel(id, known(caller));
        if (!outcome.requested()) {
            return ResponseEntity.ok(outcome.task());
        }
        return ResponseEntity.accepted().location(URI.create("/tasks/" + id)).body(outcome.task());
    }

    @Operation(summary = "List tasks, newest first",
            description = "The tasks ZooKeeper still holds (a key with only the submit role: the tasks it submitted)."
                    + " Page with limit and the nextCursor of the previous page. priority and requires match tasks"
                    + " that have not finished (a status does not keep them).")
    @GetMapping
    TaskPage list(@Parameter(example = "20") @RequestParam(required = false) Integer limit,
                  @RequestParam(required = false) String cursor,
                  @Parameter(description = "queued, assigned, running, done, failed, timed_out or cancelled")
                  @RequestParam(required = false) String state,
                  @Parameter(description = "0 to 9", example = "9") @RequestParam(required = false) String priority,
                  @Parameter(description = "a label the task requires, as name:value", example = "pool:gpu")
                  @RequestParam(required = false) String requires,
                  @Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return tasks.list(limit, cursor, TaskFilter.of(state, priority, requires), known(caller));
    }

    /**
     * The security filter chain puts a {@link Caller} on every request that reaches these endpoints; should one come
     * without, it may see nothing and its tasks record no submitter.
     */
    private static Caller known(Caller caller) {
        return caller != null ? caller : new Caller(null, Set.of());
    }

    private Duration requestedWait(Integer waitSeconds) {
        long max = limits.maxWait().toSeconds();
        if (waitSeconds != null && (waitSeconds < 0 || waitSeconds > max)) {
            throw new InvalidRequestException("waitSeconds must be between 0 and " + max);
        }
        return Duration.ofSeconds(waitSeconds == null ? 0 : waitSeconds);
    }

    /**
     * A submission's answer: 202 with the task at once; or, with a wait, 200 with the task once it finished, or 202
     * with it as it stands when the wait is over. Either way with its Location, and the header of a replay.
     */
    private ResponseEntity<TaskView> acceptedOrAwaited(TaskService.Submission submission, Duration wait,
                                                       Caller caller, HttpServletRequest request,
                                                       HttpServletResponse response) {
        ResponseEntity<TaskView> accepted = accepted(submission);
        if (wait.isZero()) {
            return accepted;
        }
        if (submission.task().state().isTerminal()) { // a replay of a task that has finished since
            return ResponseEntity.ok().headers(accepted.getHeaders()).body(submission.task());
        }
        // a replay's task may have moved on since: read it as a GET would; a new one is known to this gateway
        TaskService.WaitStart start = tasks.getToWaitFor(submission.task().id(), caller);
        if (start.task().state().isTerminal()) {
            return ResponseEntity.ok().headers(accepted.getHeaders()).body(start.task());
        }
        accepted.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        waiter.await(start, wait, request, true);
        return null; // answered by the waiter, asynchronously
    }

    private static ResponseEntity<TaskView> accepted(TaskService.Submission submission) {
        TaskView view = submission.task();
        ResponseEntity.BodyBuilder response = ResponseEntity.accepted().location(URI.create("/tasks/" + view.id()));
        if (submission.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(view);
    }

    private static ResponseEntity<List<TaskView>> accepted(TaskService.BatchSubmission submission) {
        ResponseEntity.BodyBuilder response = ResponseEntity.accepted();
        if (submission.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(submission.tasks());
    }

    /** For the OpenAPI document only: a batch, as the request body. */
    @Schema(type = "array", description = "a batch: 1 to " + TaskSubmissionBody.MAX_BATCH + " tasks")
    private static final class TaskBatchSchema extends java.util.ArrayList<SubmitTaskRequest> {
    }

    /** For the OpenAPI document only: a batch's answer. */
    @Schema(type = "array", description = "the batch's tasks, in the request's order")
    private static final class TaskViewsSchema extends java.util.ArrayList<TaskView> {
    }
}
