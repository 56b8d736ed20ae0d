package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.TaskNotFoundException;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Long-polls a task: answers when {@code /status/<id>} appears, told by a ZooKeeper watch on that znode, or with the
 * current state when the wait is over. A waiting request holds no thread (async servlet): only a watch, a
 * {@link LongPoll} and a timer entry, so one gateway holds thousands of them.
 */
@Component
class TaskWaiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TaskWaiter.class);
    /** The servlet container's own timeout comes this long after the wait: a safety net, our timer answers first. */
    private static final Duration CONTAINER_GRACE = Duration.ofSeconds(10);

    private final ZooKeeperAccess zk;
    private final TaskReader reader;
    private final JsonMapper json;
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemon("longpoll-timer"));
    // Reads that complete waiters run here, not on ZooKeeper's single event thread.
    private final ExecutorService completions = Executors.newFixedThreadPool(4, daemon("longpoll-complete"));

    private final AtomicInteger waiting = new AtomicInteger();
    private final StatusWatches statusWatches = new StatusWatches();

    public TaskWaiter(ZooKeeperAccess zk, TaskReader reader, JsonMapper json,
                      io.micrometer.core.instrument.MeterRegistry meters) {
        this.zk = zk;
        this.reader = reader;
        this.json = json;
        timers.setRemoveOnCancelPolicy(true);
        meters.gauge("zootask.gateway.longpolls.waiting", waiting);
    }

    /**
     * Puts {@code request} in async mode and answers it when the task finishes, or with its state when {@code wait}
     * is over. {@code current} is the task as it stands now, not finished.
     */
    void await(TaskView current, Duration wait, HttpServletRequest request) {
        waiting.incrementAndGet();
        // the timer goes as soon as the poll is answered: left for the whole wait, every answered poll of the last
        // waitSeconds stayed reachable from the timer queue (tens of thousands under load, kept alive by the GC)
        AtomicReference<Future<?>> timer = new AtomicReference<>();
        AtomicReference<Watcher> watch = new AtomicReference<>();
        AtomicBoolean fired = new AtomicBoolean();
        String id = current.id();
        CuratorFramework client = zk.client();
        // however the poll ends (answered, timed out, its client gone early), nothing of it stays: not the count, not
        // the timer, not the watch on the server
        LongPoll poll = LongPoll.start(request, current, wait.plus(CONTAINER_GRACE), json, () -> {
            waiting.decrementAndGet();
            cancel(timer.get());
            release(client, id, watch, fired.get());
        });
        Watcher watcher = event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
                fired.set(true); // and so gone from the server
            }
            if (event.getType() == Watcher.Event.EventType.NodeCreated
                    || event.getType() == Watcher.Event.EventType.NodeDataChanged) {
                completions.execute(() -> answerIfFinished(poll, id));
            }
        };
        try {
            statusWatches.watch(client, id, watcher, (c, event) -> {
                if (event.getStat() != null) {
                    completions.execute(() -> answerIfFinished(poll, id)); // finished before the watch was set
                }
            });
        } catch (Exception e) {
            log.debug("cannot watch the status of {}: {}", id, e.toString());
            poll.answer(current);
            return;
        }
        watch.set(watcher);
        timer.set(timers.schedule(() -> completions.execute(() -> answerWithCurrent(poll, current)),
                wait.toMillis(), TimeUnit.MILLISECONDS));
        if (poll.hasEnded()) {
            // ended before there was a timer to cancel or a watch to release (the client left at once)
            cancel(timer.get());
            release(client, id, watch, fired.get());
        }
    }

    /** Once only, whichever of the poll's end and its start comes second. */
    private void release(CuratorFramework client, String id, AtomicReference<Watcher> watch, boolean fired) {
        Watcher watcher = watch.getAndSet(null);
        if (watcher != null) {
            statusWatches.release(client, id, watcher, fired);
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
