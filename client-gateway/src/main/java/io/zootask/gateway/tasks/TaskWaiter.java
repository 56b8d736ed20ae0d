package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.TaskNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Long-polls a task: answers when {@code /status/<id>} appears, told by the gateway's one watch on {@code /status}
 * ({@link TaskEnds}), or with the current state when the wait is over. A waiting request holds no thread (async
 * servlet) and no watch of its own on the ZooKeeper server: only a {@link LongPoll}, its place among
 * {@link TaskEnds}' waiting polls and a timer entry, so one gateway holds thousands of them; and a task that ends
 * costs one read, of its status.
 */
@Component
class TaskWaiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TaskWaiter.class);
    /** The servlet container's own timeout comes this long after the wait: a safety net, our timer answers first. */
    private static final Duration CONTAINER_GRACE = Duration.ofSeconds(10);

    private final TaskReader reader;
    private final TaskEnds ends;
    private final JsonMapper json;
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemon("longpoll-timer"));
    // Reads that complete waiters run here, not on ZooKeeper's single event thread.
    private final ExecutorService completions = Executors.newFixedThreadPool(4, daemon("longpoll-complete"));

    private final AtomicInteger waiting = new AtomicInteger();

    public TaskWaiter(TaskReader reader, TaskEnds ends, JsonMapper json,
                      io.micrometer.core.instrument.MeterRegistry meters) {
        this.reader = reader;
        this.ends = ends;
        this.json = json;
        timers.setRemoveOnCancelPolicy(true);
        meters.gauge("zootask.gateway.longpolls.waiting", waiting);
    }

    /**
     * Puts {@code request} in async mode and answers it when the task finishes, or with its state when {@code wait}
     * is over. {@code start} is the task as it stands now, not finished.
     */
    void await(TaskService.WaitStart start, Duration wait, HttpServletRequest request) {
        await(start, wait, request, false);
    }

    /** As {@link #await(TaskService.WaitStart, Duration, HttpServletRequest)}; for the POST that {@code submitted}
     * the task, an answer before it finished is 202. */
    void await(TaskService.WaitStart start, Duration wait, HttpServletRequest request, boolean submitted) {
        waiting.incrementAndGet();
        TaskView current = start.task();
        String id = current.id();
        // the timer goes as soon as the poll is answered: left for the whole wait, every answered poll of the last
        // waitSeconds stayed reachable from the timer queue (tens of thousands under load, kept alive by the GC)
        AtomicReference<Future<?>> timer = new AtomicReference<>();
        AtomicReference<Runnable> registration = new AtomicReference<>();
        // however the poll ends (answered, timed out, its client gone early), nothing of it stays: not the count, not
        // the timer, not its place among the waiting
        LongPoll poll = LongPoll.start(request, current, submitted, wait.plus(CONTAINER_GRACE), json, () -> {
            waiting.decrementAndGet();
            cancel(timer.get());
            release(registration);
        });
        Runnable look = () -> completions.execute(() -> answerIfFinished(poll, id));
        TaskEnds.Registration place = ends.onEnd(id, start.unfinishedAt(), look);
        registration.set(place.close());
        if (place.known() != TaskEnds.Known.NOT_ENDED) {
            look.run(); // ended meanwhile, or the gateway cannot tell: its status says
        }
        timer.set(timers.schedule(() -> completions.execute(() -> answerWithCurrent(poll, current)),
                wait.toMillis(), TimeUnit.MILLISECONDS));
        if (poll.hasEnded()) {
            // ended before there was a timer to cancel (the client left at once, or the status was there)
            cancel(timer.get());
            release(registration);
        }
    }

    /** Once only, whichever of the poll's end and its start comes second. */
    private static void release(AtomicReference<Runnable> registration) {
        Runnable close = registration.getAndSet(null);
        if (close != null) {
            close.run();
        }
    }

    private static void cancel(Future<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void answerIfFinished(LongPoll poll, String id) {
        if (poll.isAnswered()) {
            return;
        }
        try {
            reader.finished(id).ifPresent(poll::answer);
        } catch (RuntimeException e) {
            log.debug("reading the status of {}: {}", id, e.toString());
        }
    }

    private void answerWithCurrent(LongPoll poll, TaskView before) {
        if (!poll.isAnswered()) {
            try {
                // gone meanwhile (pruned, or deleted by hand): not found, like any request for it from now on
                reader.find(before.id()).ifPresentOrElse(poll::answer,
                        () -> poll.notFound(new TaskNotFoundException(before.id())));
            } catch (RuntimeException e) {
                poll.answer(before);
            }
        }
    }

    @Override
    public void destroy() {
        timers.shutdownNow();
        completions.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
