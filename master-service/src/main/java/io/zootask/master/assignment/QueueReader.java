package io.zootask.master.assignment;

import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.QueuedTask;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the data of the tasks that arrived in {@code /tasks}, in one pipelined round of asynchronous reads, so that
 * the master knows each task's priority, delay and requirements before it plans, and assigns exactly the bytes and
 * version it read. A task that can never be assigned (unreadable, malformed, too large) is failed here, once.
 *
 * <p>Rounds start on the active master's thread; their answers come back to it through {@code onMasterThread}.
 */
public final class QueueReader {

    private static final Logger log = LoggerFactory.getLogger(QueueReader.class);
    /**
     * What an assignment's transaction adds to the task's data (the fence and worker checks, the paths, the ACLs,
     * the headers), rounded up generously: a task whose data comes closer than this to ZooKeeper's request limit
     * cannot be assigned, because the server would drop the connection on the oversized request.
     */
    static final int ASSIGNMENT_OVERHEAD_BYTES = 1024;

    private record Answer(String id, int code, byte[] data, Stat stat) {
    }

    private final CuratorFramework client;
    private final ClusterModel model;
    private final UnassignableTasks unassignable;
    private final int maxRequestBytes;
    private final Clock clock;
    private final Consumer<Runnable> onMasterThread;
    private final Set<String> reading = new HashSet<>(); // the master's thread only

    QueueReader(CuratorFramework client, ClusterModel model, UnassignableTasks unassignable, int maxRequestBytes,
                Clock clock, Consumer<Runnable> onMasterThread) {
        this.client = client;
        this.model = model;
        this.unassignable = unassignable;
        this.maxRequestBytes = maxRequestBytes;
        this.clock = clock;
        this.onMasterThread = onMasterThread;
    }

    /** Sends a read for every unread task not already being read; {@code then} runs once the round is applied. */
    public void readUnread(Runnable then) {
        List<String> ids = new ArrayList<>();
        for (String id : model.queue().unread()) {
            if (reading.add(id)) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicInteger pending = new AtomicInteger(ids.size());
        for (String id : ids) {
            try {
                client.getData().inBackground((c, event) -> {
                    answers.add(new Answer(id, event.getResultCode(), event.getData(), event.getStat()));
                    if (pending.decrementAndGet() == 0) {
                        onMasterThread.accept(() -> {
                            answers.forEach(this::apply);
                            then.run();
                        });
                    }
                }).forPath(ZNodes.task(id));
            } catch (Exception e) {
                answers.add(new Answer(id, KeeperException.Code.SYSTEMERROR.intValue(), null, null));
                if (pending.decrementAndGet() == 0) {
                    onMasterThread.accept(() -> {
                        answers.forEach(this::apply);
                        then.run();
                    });
                }
            }
        }
    }

    /** Forgets the reads under way: after a reload they are sent again. */
    public void clear() {
        reading.clear();
    }

    private void apply(Answer answer) {
        String id = answer.id();
        reading.remove(id);
        if (!model.queue().contains(id)) {
            return; // gone (or assigned) while we read it
        }
        KeeperException.Code code = KeeperException.Code.get(answer.code());
        switch (code) {
            case OK -> judge(id, answer.data(), answer.stat());
            case NONODE -> model.queue().remove(id);
            case NOAUTH -> unassignable.fail(id, "unreadable task: its znode's ACL does not let the master read it",
                    null);
            default -> log.debug("reading task {} failed ({}): it is read again at the next round", id, code);
        }
    }

    private void judge(String id, byte[] data, Stat stat) {
        if ((long) data.length + ASSIGNMENT_OVERHEAD_BYTES > maxRequestBytes) {
            unassignable.fail(id, "task too large: its " + data.length + " bytes of data, copied into an"
                    + " assignment, would exceed ZooKeeper's request limit of " + maxRequestBytes + " bytes", stat);
            return;
        }
        TaskSpec spec;
        try {
            spec = ProtocolCodec.decodeTask(data);
        } catch (MalformedDataException e) {
            unassignable.fail(id, "malformed task: " + e.getMessage(), stat);
            return;
        }
        model.queue().put(new QueuedTask(id, spec, data, stat.getVersion()), clock.instant());
    }
}
