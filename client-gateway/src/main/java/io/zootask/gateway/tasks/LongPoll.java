package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.ProblemResponses;
import io.zootask.gateway.errors.TaskNotFoundException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * One waiting {@code GET /tasks/{id}?waitSeconds=N} (or {@code POST /tasks?waitSeconds=N}): a servlet async request
 * that is answered once, with the task as JSON (or a 404 problem if it vanished), written straight to the response by
 * whichever thread learns the answer.
 *
 * <p>Why not a {@code DeferredResult}: Spring MVC answers one by dispatching the request a second time through the
 * whole filter chain and handler lookup, a sixth of the gateway's CPU per task under load, only to write a few
 * hundred bytes of JSON.
 *
 * <p>The answer is written only after the request's own dispatch has returned ({@link #dispatchReturned()}, called
 * by {@link LongPollFilter} outside every other filter): until then, filters may still set headers (Spring
 * Security writes its headers on the way out), and a response written meanwhile would go out without them. If the
 * answer is known first, the dispatching thread writes it on its way out.
 */
final class LongPoll implements AsyncListener {

    private static final String ATTRIBUTE = LongPoll.class.getName();

    private final AsyncContext async;
    private final JsonMapper json;
    private final Runnable onEnd;
    private final AtomicReference<Runnable> answer = new AtomicReference<>();
    private final AtomicBoolean dispatchReturned = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final ClientCloseWatch clientClose;
    /** What to answer if the container's timeout fires before the waiter answered: the task as the wait began. */
    private final TaskView atStart;

    /** A poll started by a POST that created its task: an answer before the task finished is 202, not 200. */
    private final boolean submitted;

    private LongPoll(AsyncContext async, JsonMapper json, TaskView atStart, boolean submitted, Runnable onEnd,
                     ClientCloseWatch clientClose) {
        this.async = async;
        this.submitted = submitted;
        this.json = json;
        this.atStart = atStart;
        this.onEnd = onEnd;
        this.clientClose = clientClose;
    }

    /**
     * Puts the request in async mode. {@code timeout} is the servlet container's safety net only: the waiter answers
     * first, and should it not, the container's timeout answers {@code current}. {@code onEnd} runs once, however the
     * poll ends (answered, timed out, client gone).
     */
    static LongPoll start(HttpServletRequest request, TaskView current, boolean submitted, Duration timeout,
                          JsonMapper json, Runnable onEnd) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeout.toMillis());
        ClientCloseWatch clientClose = ClientCloseWatch.of(request);
        LongPoll poll = new LongPoll(async, json, current, submitted, onEnd, clientClose);
        async.addListener(poll);
        request.setAttribute(ATTRIBUTE, poll);
        clientClose.start(poll::clientClosed);
        return poll;
    }

    boolean hasEnded() {
        return ended.get();
    }

    boolean isAnswered() {
        return answer.get() != null;
    }

    /** Answers 200 with {@code task} (202 if a submission's task has not finished), unless answered already. */
    void answer(TaskView task) {
        if (answer.compareAndSet(null, () -> writeTask(task))) {
            writeSoon();
        }
    }

    /** Answers 404 as a problem, unless answered already: the task is gone (pruned, deleted by hand). */
    void notFound(TaskNotFoundException gone) {
        if (answer.compareAndSet(null, () -> writeNotFound(gone))) {
            writeSoon();
        }
    }

    /** The request's dispatch has left the filter chain (on its container thread): the response is the poll's now. */
    void dispatchReturned() {
        dispatchReturned.set(true);
        writeIfReady();
    }

    static LongPoll of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof LongPoll poll ? poll : null;
    }

    /**
     * Once the dispatch has returned, the answer is written on a container thread, as a dispatch would be: a client
     * that does not read blocks one of those, never the few threads that complete every poll. Before, the dispatching
     * thread writes it on its way out.
     */
    private void writeSoon() {
        if (dispatchReturned.get() && !ended.get()) {
            try {
                async.start(this::writeIfReady);
            } catch (IllegalStateException endedMeanwhile) {
                // timed out or the client left: nothing to write to
            }
        }
    }

    /** Writes the answer once both it is known and the dispatch has returned, whichever came second. */
    private void writeIfReady() {
        Runnable write = answer.get();
        if (write != null && dispatchReturned.get() && ended.compareAndSet(false, true)) {
            clientClose.stop(); // before the response: its end hands the connection back to Jetty
            try {
                write.run();
            } finally {
                async.complete();
                onEnd.run();
            }
        }
    }

    private void writeTask(TaskView task) {
        byte[] body = json.writeValueAsBytes(task);
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setStatus(submitted && !task.state().isTerminal() ? HttpServletResponse.SC_ACCEPTED
                : HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
        } catch (IOException clientGone) {
            // nobody left to answer
        }
    }

    private void writeNotFound(TaskNotFoundException gone) {
        try {
            ProblemResponses.write((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(),
                    HttpServletResponse.SC_NOT_FOUND, "task-not-found", "Task not found", gone.getMessage());
        } catch (IOException clientGone) {
            // nobody left to answer
        }
    }

    /**
     * The client can send no more: its wait ends now, answered with the task as it stood when the wait began, as the
     * container's timeout would. A client that left costs a write to nowhere, and whatever its wait held is released
     * at once rather than when the wait would have ended; one that only shut down its sending side still reads it.
     */
    private void clientClosed() {
        answer(atStart);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        answer(atStart);
        dispatchReturned(); // a timeout comes after the dispatch; whatever happens, the request ends here
        end();
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        clientClose.stop();
        if (ended.compareAndSet(false, true)) {
            onEnd.run();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // started once, by start()
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            clientClose.stop();
            try {
                async.complete();
            } finally {
                onEnd.run();
            }
        }
    }
}
