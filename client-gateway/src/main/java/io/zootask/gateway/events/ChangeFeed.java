package io.zootask.gateway.events;

import io.zootask.gateway.cluster.ClusterView;
import io.zootask.protocol.MasterInfo;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZNodes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Turns ZooKeeper's changes into events, from watches only (nothing polls). A task's events are the znodes it is
 * created as, in order: {@code /tasks/<id>} (queued, or queued again for a retry), {@code /assign/<worker>/<id>}
 * (assigned), {@code /running/<id>} (running), {@code /status/<id>} (its end).
 *
 * <p>The task trees are followed by Curator {@link PersistentWatcher}s (persistent recursive watches): each creation
 * is announced even when its znode is gone before its data could be read (a fast task's running marker lives a
 * millisecond); the event then says what its path and the task's earlier events tell. Should the watches miss
 * changes (the connection to ZooKeeper was lost for a while), every stream is told to reset. The cluster trees are
 * small: {@link CuratorCache}s hold them, and Curator resyncs them after a reconnect.
 */
@Component
class ChangeFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    /** Tasks remembered between their events (who submitted them, their command): the ones in flight, bounded. */
    private static final int REMEMBERED = 100_000;

    private final CuratorFramework client;
    private final EventHub hub;
    private final ActivityHistory activity;
    private final EventsProperties properties;
    private final Clock clock;
    private final List<Closeable> watches = new ArrayList<>();
    private final Map<String, TaskEvent> inFlight = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, TaskEvent> eldest) {
                    return size() > REMEMBERED;
                }
            });
    private final TaskOrder order;
    /** Tasks gone from /tasks before their data could be read: their assignment's data tells what they were. */
    private final Set<String> movedOnUnread = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean clusterChangePending = new AtomicBoolean();
    private final AtomicInteger queueDepth = new AtomicInteger();
    private ScheduledExecutorService coalescer;
    private CuratorCache workers;
    private CuratorCache master;
    private CuratorCache election;
    private volatile boolean running;

    ChangeFeed(CuratorFramework client, EventHub hub, ActivityHistory activity, EventsProperties properties,
               Clock clock) {
        this.client = client;
        this.hub = hub;
        this.activity = activity;
        this.properties = properties;
        this.clock = clock;
        this.order = new TaskOrder(client);
    }

    @Override
    public synchronized void start() {
        coalescer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "cluster-events");
            thread.setDaemon(true);
            return thread;
        });
        hub.onNewFollower(this::clusterChanged); // a new dashboard gets the cluster as it is now
        follow(ZNodes.TASKS, this::taskQueued, this::taskLeftQueue);
        follow(ZNodes.ASSIGN, this::assigned, path -> clusterChanged());
        follow(ZNodes.RUNNING, this::started, path -> { });
        follow(ZNodes.STATUS, this::finished, path -> { });
        workers = cache(ZNodes.WORKERS);
        master = cache(ZNodes.MASTER);
        election = cache(ZNodes.ELECTION);
        running = true;
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (Closeable watch : watches) {
            try {
                watch.close();
            } catch (IOException | RuntimeException e) {
                log.debug("closing a watch: {}", e.toString());
            }
        }
        watches.clear();
        if (coalescer != null) {
            coalescer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Follows a task tree: {@code created} and {@code deleted} get the paths of its children and grandchildren. */
    private void follow(String root, Consumer<String> created, Consumer<String> deleted) {
        PersistentWatcher watcher = new PersistentWatcher(client, root, true);
        watcher.getListenable().addListener(event -> {
            String path = event.getPath();
            if (path == null || path.equals(root)) {
                return;
            }
            if (event.getType() == Watcher.Event.EventType.NodeCreated) {
                guarded(root, () -> created.accept(path));
            } else if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                guarded(root, () -> deleted.accept(path));
            }
        });
        AtomicBoolean set = new AtomicBoolean();
        watcher.getResetListenable().addListener(() -> {
            // called each time the watch is set: the first time at start, then after each loss of connection, when
            // changes in between went unseen (one tree is enough to tell: the four share the connection)
            if (root.equals(ZNodes.TASKS)) {
                if (set.getAndSet(true)) {
                    hub.reset("the gateway's view of ZooKeeper was interrupted; reload");
                }
                countQueue();
            }
            clusterChanged();
        });
        watcher.start();
        watches.add(watcher);
    }

    /** The queue's depth from ZooKeeper, when the watch is (re)set; the watch's events count it from there. */
    private void countQueue() {
        try {
            client.checkExists().inBackground((curator, result) -> {
                if (result.getStat() != null) {
                    queueDepth.set(result.getStat().getNumChildren());
                    activity.queueDepth(queueDepth.get());
                }
            }).forPath(ZNodes.TASKS);
        } catch (Exception e) {
            log.warn("event feed: could not count the queue: {}", e.toString());
        }
    }

    private CuratorCache cache(String root) {
        CuratorCache cache = CuratorCache.build(client, root);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> clusterChanged())
                .build());
        cache.start();
        watches.add(cache);
        return cache;
    }

    static void guarded(String root, Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            // one bad znode (a foreign client's data) must not stop the feed
            log.warn("event feed: could not describe a change under {}: {}", root, e.toString());
        }
    }

    /*
     * A creation is read (and told) only when some client follows that task: with nobody listening the feed costs
     * ZooKeeper no read, and the log notes the gap, so that a client resuming from before it is told to reset. The
     * history's counts need no read.
     */

    private void taskQueued(String path) {
        if (FeedData.depth(path) != 1) {
            return;
        }
        activity.queueDepth(queueDepth.incrementAndGet());
        activity.submitted();
        clusterChanged();
        String id = ZNodes.nameOf(path);
        order.inOrder(id, () -> {
            if (!hub.wantsChange(id)) {
                hub.skipped(false);
                return;
            }
            order.read(id, path, node -> {
                TaskSpec spec = FeedData.decode(node.getData(), ProtocolCodec::decodeTask);
                if (spec != null) {
                    publishQueued(id, spec, at(node.getStat()));
                } else if (node.getStat() == null) {
                    movedOnUnread.add(id); // assigned (or cancelled) at once: told with its next change
                } // else not a task zootask can read: no event rather than a wrong one
            });
        });
    }

    private void publishQueued(String id, TaskSpec spec, Instant at) {
        TaskEvent event = TaskEvent.queued(id, spec, at);
        inFlight.put(id, event);
        hub.publish(event);
    }

    private void taskLeftQueue(String path) {
        if (FeedData.depth(path) == 1) {
            activity.queueDepth(Math.max(0, queueDepth.decrementAndGet()));
            clusterChanged();
        }
    }

    /** Assigned: the path says to which worker, the task's queued event the rest (an assignment is the task's data). */
    private void assigned(String path) {
        clusterChanged();
        if (FeedData.depth(path) != 2) {
            return;
        }
        String id = ZNodes.nameOf(path);
        String worker = ZNodes.nameOf(ZNodes.parentOf(path));
        order.inOrder(id, () -> {
            if (movedOnUnread.remove(id) && hub.wantsChange(id)) {
                // an assignment's data is the task's: its queued event, dated by the assignment (the earliest
                // moment ZooKeeper still shows), then this one
                order.read(id, path, node -> {
                    TaskSpec spec = FeedData.decode(node.getData(), ProtocolCodec::decodeTask);
                    if (spec != null) {
                        publishQueued(id, spec, Instant.ofEpochMilli(node.getStat().getCtime()));
                    }
                    movedOn(id, TaskState.ASSIGNED, worker);
                });
            } else {
                movedOn(id, TaskState.ASSIGNED, worker);
            }
        });
    }

    /** Running: where, from its assigned event; the marker's own data would tell only that again, and when. */
    private void started(String path) {
        if (FeedData.depth(path) != 1) {
            return;
        }
        String id = ZNodes.nameOf(path);
        order.inOrder(id, () -> movedOn(id, TaskState.RUNNING, null));
    }

    /** Assigned or running, on {@code worker} (null: where its last event said), if some client wants to know. */
    private void movedOn(String id, TaskState state, String worker) {
        if (!hub.wantsChange(id)) {
            hub.skipped(false);
            return;
        }
        TaskEvent known = inFlight.get(id);
        String where = worker != null ? worker : known == null ? null : known.worker();
        TaskEvent event = TaskEvent.movedOn(id, state, where, known, clock.instant());
        inFlight.put(id, event);
        hub.publish(event);
    }

    private void finished(String path) {
        if (FeedData.depth(path) != 1) {
            return;
        }
        activity.finished();
        String id = ZNodes.nameOf(path);
        order.inOrder(id, () -> {
            movedOnUnread.remove(id); // cancelled while queued: its end tells
            if (!hub.wantsEnd(id)) {
                inFlight.remove(id);
                hub.skipped(true);
                return;
            }
            order.read(id, path, node -> {
                TaskEvent known = inFlight.remove(id);
                TaskStatus status = FeedData.decode(node.getData(), ProtocolCodec::decodeStatus);
                if (status == null) {
                    // nothing true to say of this end, but a client waiting for it must not wait in vain
                    hub.skipped(true);
                    if (node.getStat() == null) {
                        hub.reset("the end of " + id + " was removed before it could be read; reload");
                    } // else not a status zootask can read (a foreign client's): the log noted the gap
                    return;
                }
                TaskEvent end = TaskEvent.finished(id, status, at(node.getStat()));
                if (status.startedAt() != null && (known == null || known.progress() < end.progress() - 1)) {
                    // it ran, but too briefly to be marked running (zootask.worker.mark-running-after): say so
                    if (hub.wantsChange(id)) {
                        hub.publish(TaskEvent.ranBefore(end));
                    } else {
                        hub.skipped(false);
                    }
                }
                hub.publish(end);
            });
        });
    }

    /** Publishes the cluster once for all the changes of the next moment: a slot taken per task would be a flood. */
    private void clusterChanged() {
        if (!hub.hasFollowersOfAll()) {
            return; // nobody to tell; a new follower asks for the cluster as it is then
        }
        ScheduledExecutorService scheduler = coalescer;
        if (scheduler != null && clusterChangePending.compareAndSet(false, true)) {
            try {
                scheduler.schedule(this::publishCluster, properties.clusterCoalesce().toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RuntimeException stopped) {
                clusterChangePending.set(false);
            }
        }
    }

    private void publishCluster() {
        clusterChangePending.set(false);
        try {
            ClusterView view = clusterView();
            activity.queueDepth(view.queueDepth());
            hub.publish(view);
        } catch (Exception e) {
            log.warn("event feed: could not describe the cluster: {}", e.toString());
        }
    }

    /**
     * {@code GET /cluster}'s answer, without each worker's list of running tasks (task events tell those; a list per
     * slot change would be most of the stream's bytes): masters and workers from the caches, the counts (queue depth,
     * slots in use) read once per publication, which the changes themselves trigger.
     */
    ClusterView clusterView() throws Exception {
        MasterInfo leader = master.get(ZNodes.MASTER)
                .map(node -> FeedData.decode(node.getData(), ProtocolCodec::decodeMaster)).orElse(null);
        List<ChildData> participants = new ArrayList<>(election.stream()
                .filter(node -> FeedData.depth(node.getPath()) == 1).toList());
        participants.sort((a, b) -> ZNodes.TASK_ORDER.compare(ZNodes.nameOf(a.getPath()),
                ZNodes.nameOf(b.getPath())));
        List<ClusterView.Master> masters = new ArrayList<>();
        for (ChildData participant : participants) {
            String id = participant.getData() == null ? "?" : new String(participant.getData(), StandardCharsets.UTF_8);
            masters.add(new ClusterView.Master(id, masters.isEmpty() ? "leader" : "standby"));
        }
        List<ChildData> registered = new ArrayList<>(workers.stream()
                .filter(node -> FeedData.depth(node.getPath()) == 1).toList());
        registered.sort((a, b) -> a.getPath().compareTo(b.getPath()));
        List<ClusterView.Worker> workerViews = new ArrayList<>();
        for (ChildData node : registered) {
            String id = ZNodes.nameOf(node.getPath());
            WorkerInfo info = FeedData.decode(node.getData(), data -> ProtocolCodec.decodeWorker(id, data));
            if (info == null) {
                continue;
            }
            Stat assignments = client.checkExists().forPath(ZNodes.assignments(id));
            workerViews.add(new ClusterView.Worker(id, info.host(), info.pid(), info.slots(),
                    assignments == null ? 0 : assignments.getNumChildren(), null, info.version(), info.labels(),
                    info.isReserved() ? Boolean.TRUE : null));
        }
        Stat tasks = client.checkExists().forPath(ZNodes.TASKS);
        if (tasks != null) {
            queueDepth.set(tasks.getNumChildren()); // exact again, should the watch's count have drifted
        }
        return new ClusterView(leader, masters, workerViews, tasks == null ? 0 : tasks.getNumChildren(),
                client.getZookeeperClient().getCurrentConnectionString());
    }

    /** When ZooKeeper recorded the znode; now, for one gone before it could be read. */
    private Instant at(Stat stat) {
        return stat == null ? clock.instant() : Instant.ofEpochMilli(stat.getMtime());
    }
}
