package io.zootask.gateway.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.gateway.cluster.ClusterView;
import io.zootask.gateway.security.Caller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the {@link ChangeFeed}'s events meet the clients that follow them: it numbers and logs every event once, and
 * wakes the streams that want it. The hub never writes to a client itself.
 */
@Component
class EventHub implements DisposableBean {

    private final EventLog log;
    private final JsonMapper json;
    private final Set<EventStream> followingAll = new CopyOnWriteArraySet<>();
    private final Set<EventStream> followingEnds = new CopyOnWriteArraySet<>();
    private final Map<String, Set<StreamOfOneTask>> followingTask = new ConcurrentHashMap<>();
    private final ExecutorService senders;
    private final ScheduledExecutorService heartbeats;
    private volatile byte[] cluster; // the newest cluster event, unnumbered, for clients that connect
    private volatile Runnable onNewFollower = () -> { };
    private final long lingerNanos;
    // System.nanoTime() when the last follower of every event, and of ends only, left; MIN_VALUE: none ever left
    private volatile long lastFollowerLeft = Long.MIN_VALUE;
    private volatile long lastEndsFollowerLeft = Long.MIN_VALUE;

    EventHub(EventsProperties properties, JsonMapper json, Clock clock, MeterRegistry meters) {
        this.log = new EventLog(Long.toString(clock.millis(), 36), properties.replay());
        this.json = json;
        this.lingerNanos = properties.linger().toNanos();
        this.senders = Executors.newFixedThreadPool(properties.senders(), named("event-sender-"));
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(named("event-heartbeat-"));
        long every = properties.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        Gauge.builder("zootask.gateway.events.subscribers", this, EventHub::subscribers)
                .description("open event streams: GET /events (with ?endsOnly=true too) and GET /tasks/{id}/events").register(meters);
    }

    void publish(TaskEvent event) {
        EventFrame frame;
        synchronized (this) {
            frame = log.append(EventFrame.Kind.TASK, event.id(), event.submittedBy(), event.progress(), event.state().isTerminal(),
                    json.writeValueAsBytes(event));
        }
        wakeAll();
        Set<StreamOfOneTask> followers = followingTask.get(event.id());
        if (followers != null) {
            for (StreamOfOneTask follower : followers) {
                follower.offer(frame);
            }
        }
    }

    void publish(ClusterView view) {
        byte[] body = json.writeValueAsBytes(view);
        synchronized (this) {
            log.append(EventFrame.Kind.CLUSTER, null, null, 0, false, body);
            cluster = EventLog.unnumbered(EventFrame.Kind.CLUSTER, body);
        }
        wakeAll();
    }

    /**
     * Every stream of all events, ends-only ones too: one passes over what it does not want, but its cursor must move
     * on with the log, or a burst of other events would overwrite the slots behind it and it would be told it fell
     * behind.
     */
    private void wakeAll() {
        for (EventStream stream : followingAll) {
            stream.wake();
        }
        for (EventStream stream : followingEnds) {
            stream.wake();
        }
    }

    /**
     * Tells every client that it may have missed changes: {@code GET /events} followers get a numbered
     * {@code reset} (and reload), one task's followers are ended with one (they reconnect and read the task anew).
     */
    void reset(String reason) {
        synchronized (this) {
            log.append(EventFrame.Kind.RESET, null, null, 0, false, log.resetJson(reason));
        }
        wakeAll();
        for (Set<StreamOfOneTask> followers : followingTask.values()) {
            for (StreamOfOneTask follower : followers) {
                follower.endWith(log.resetFrame(reason));
            }
        }
    }

    /**
     * The source of a {@code GET /events} stream: after {@code lastEventId} when the log still reaches back to it,
     * else from now, after a {@code reset} if the client had seen events before. A caller that may read the cluster
     * gets its current state first, unless it follows only the ends of tasks ({@code endsOnly}).
     */
    synchronized StreamOfAll sourceForAll(Caller caller, boolean endsOnly, String lastEventId) {
        List<byte[]> preface = new ArrayList<>();
        if (caller.readsAllTasks() && cluster != null && !endsOnly) {
            preface.add(cluster);
        }
        long cursor = log.resumeAfter(lastEventId, endsOnly);
        if (cursor < 0) {
            cursor = log.head();
            if (lastEventId != null) {
                preface.add(log.resetFrame("event " + lastEventId + " is no longer known here; reload"));
            }
        }
        return new StreamOfAll(log, caller, endsOnly, cursor, preface);
    }

    void follow(EventStream stream, boolean endsOnly) {
        (endsOnly ? followingEnds : followingAll).add(stream);
        stream.wake();
        if (!endsOnly) {
            onNewFollower.run(); // ends-only followers get no cluster events
        }
    }

    /** What to do when a client starts following every event (the feed describes the cluster afresh). */
    void onNewFollower(Runnable action) {
        onNewFollower = action;
    }

    /**
     * Whether some client would receive a change of {@code taskId} other than its end, or could still resume to get
     * it: else the feed need not even read it. After the last follower of every event left, the log goes on for the
     * linger period, so that one that lost its connection for a moment resumes with {@code Last-Event-ID} instead of
     * reloading.
     */
    boolean wantsChange(String taskId) {
        return !followingAll.isEmpty() || followingTask.containsKey(taskId) || lingering(lastFollowerLeft);
    }

    /** As {@link #wantsChange}, for the end of {@code taskId}, which ends-only followers want too. */
    boolean wantsEnd(String taskId) {
        return wantsChange(taskId) || !followingEnds.isEmpty() || lingering(lastEndsFollowerLeft);
    }

    private boolean lingering(long left) {
        return left != Long.MIN_VALUE && System.nanoTime() - left < lingerNanos;
    }

    boolean hasFollowersOfAll() {
        return !followingAll.isEmpty();
    }

    /**
     * The feed left a change untold (nobody wanted it): a client resuming from before it must reset; for a change
     * other than an end ({@code end} false), only if it follows every event.
     */
    synchronized void skipped(boolean end) {
        log.gap(end); // under the lock: the gap is after the newest event, and no append is half done
    }

    void unfollow(EventStream stream) {
        if (followingAll.remove(stream)) {
            lastFollowerLeft = System.nanoTime();
        }
        if (followingEnds.remove(stream)) {
            lastEndsFollowerLeft = System.nanoTime();
        }
    }

    /** Starts holding {@code taskId}'s events for {@code source}, before the task is read (see StreamOfOneTask). */
    void hold(StreamOfOneTask source) {
        followingTask.computeIfAbsent(source.taskId(), id -> new CopyOnWriteArraySet<>()).add(source);
    }

    void release(StreamOfOneTask source) {
        followingTask.computeIfPresent(source.taskId(), (id, set) -> {
            set.remove(source);
            return set.isEmpty() ? null : set;
        });
    }

    /** The frame of one task's state as read, the first of its stream: unnumbered, as it is not in the log. */
    EventFrame snapshotOf(TaskEvent event) {
        return new EventFrame(0, EventFrame.Kind.TASK, event.id(), event.submittedBy(), event.progress(),
                event.state().isTerminal(), EventLog.unnumbered(EventFrame.Kind.TASK, json.writeValueAsBytes(event)));
    }

    Executor senders() {
        return senders;
    }

    int subscribers() {
        return followingAll.size() + followingEnds.size() + followingTask.values().stream().mapToInt(Set::size).sum();
    }

    private void heartbeat() {
        for (EventStream stream : followingAll) {
            stream.heartbeat();
        }
        for (EventStream stream : followingEnds) {
            stream.heartbeat();
        }
        for (Set<StreamOfOneTask> followers : followingTask.values()) {
            for (StreamOfOneTask follower : followers) {
                follower.heartbeat();
            }
        }
    }

    @Override
    public void destroy() {
        heartbeats.shutdownNow();
        senders.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
