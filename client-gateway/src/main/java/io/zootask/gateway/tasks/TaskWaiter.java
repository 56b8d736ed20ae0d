package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.TaskNotFoundException;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.ZNodes;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Long-polls a task: answers when {@code /status/<id>} appears, told by a ZooKeeper watch on that znode, or with the
 * current state when the wait is over. A waiting request holds no thread (async servlet): only a watch, a
 * {@link DeferredResult} and a timer entry, so one gateway holds thousands of them.
 */
@Component
public class TaskWaiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TaskWaiter.class);

    private final ZooKeeperAccess zk;
    private final TaskReader reader;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("longpoll-timer"));
    // Reads that complete waiters run here, not on ZooKeeper's single event thread.
    private final ExecutorService completions = Executors.newFixedThreadPool(4, daemon("longpoll-complete"));

    private final AtomicInteger waiting = new AtomicInteger();

    public TaskWaiter(ZooKeeperAccess zk, TaskReader reader, io.micrometer.core.instrument.MeterRegistry meters) {
        this.zk = zk;
        this.reader = reader;
        meters.gauge("zootask.gateway.longpolls.waiting", waiting);
    }

    public DeferredResult<TaskView> await(TaskView current, Duration wait) {
        // The servlet timeout is a safety net only; our own timer answers first with the current state.
        DeferredResult<TaskView> result = new DeferredResult<>(wait.toMillis() + 10_000);
        if (current.state().isTerminal() || wait.isZero()) {
            result.setResult(current);
            return result;
        }
        String id = current.id();
        String statusPath = ZNodes.status(id);
        waiting.incrementAndGet();
        result.onCompletion(waiting::decrementAndGet);
        CuratorFramework client = zk.client();
        Watcher watcher = event -> {
            if (event.getType() == Watcher.Event.EventType.NodeCreated
                    || event.getType() == Watcher.Event.EventType.NodeDataChanged) {
                completions.execute(() -> answerIfFinished(result, id));
            }
        };
        try {
            client.checkExists().usingWatcher(watcher).inBackground((c, event) -> {
                if (event.getStat() != null) {
                    completions.execute(() -> answerIfFinished(result, id)); // finished before the watch was set
                }
            }).forPath(statusPath);
        } catch (Exception e) {
            log.debug("cannot watch {}: {}", statusPath, e.toString());
            result.setResult(current);
            return result;
        }
        timers.schedule(() -> completions.execute(() -> answerWithCurrent(result, current, client, watcher,
                statusPath)), wait.toMillis(), TimeUnit.MILLISECONDS);
        result.onTimeout(() -> result.setResult(current));
        return result;
    }

    private void answerIfFinished(DeferredResult<TaskView> result, String id) {
        if (result.isSetOrExpired()) {
            return;
        }
        try {
            reader.finished(id).ifPresent(result::setResult);
        } catch (RuntimeException e) {
            log.debug("reading the status of {}: {}", id, e.toString());
        }
    }

    private void answerWithCurrent(DeferredResult<TaskView> result, TaskView before, CuratorFramework client,
                                   Watcher watcher, String statusPath) {
        if (result.isSetOrExpired()) {
            return;
        }
        try {
            // gone meanwhile (pruned, or deleted by hand): not found, like any request for it from now on
            reader.find(before.id()).ifPresentOrElse(result::setResult,
                    () -> result.setErrorResult(new TaskNotFoundException(before.id())));
        } catch (RuntimeException e) {
            result.setResult(before);
        }
        try {
            // ZooKeeper 3.6+: drop the watch so an abandoned wait leaves nothing behind on the server.
            client.watchers().remove(watcher).ofType(Watcher.WatcherType.Any).inBackground()
                    .forPath(statusPath);
        } catch (Exception ignored) {
            // fires once at most and is then gone anyway
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
