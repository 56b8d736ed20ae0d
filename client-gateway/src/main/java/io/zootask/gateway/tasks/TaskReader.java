package io.zootask.gateway.tasks;

import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.MalformedDataException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RunningMarker;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.WorkerInfo;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

/**
 * Finds a task wherever it is in its life: {@code /status} (finished), {@code /tasks} (queued),
 * {@code /assign/<worker>} (assigned, or running when {@code /running/<id>} exists). A task moves while we look, so
 * the places are read in the order it moves through them, and the whole look is repeated before saying "not found".
 */
@Component
class TaskReader {

    private static final int PASSES = 3;

    private final ZooKeeperAccess zk;
    private final WaitingReason waiting;

    public TaskReader(ZooKeeperAccess zk, WaitingReason waiting) {
        this.zk = zk;
        this.waiting = waiting;
    }

    public Optional<TaskView> find(String id) {
        return find(id, waiting.liveWorkers());
    }

    /** As {@link #find(String)}, with the live workers shared by all the tasks one request shows. */
    public Optional<TaskView> find(String id, Supplier<List<WorkerInfo>> liveWorkers) {
        if (!ZNodes.isValidName(id)) {
            return Optional.empty();
        }
        for (int pass = 0; pass < PASSES; pass++) {
            Optional<TaskView> view = finished(id).or(() -> queued(id, liveWorkers)).or(() -> assigned(id))
                    .or(() -> finished(id));
            if (view.isPresent()) {
                return view;
            }
        }
        return Optional.empty();
    }

    public Optional<TaskView> finished(String id) {
        try {
            return read(ZNodes.status(id)).map(data -> fromStatus(id, ProtocolCodec.decodeStatus(data)));
        } catch (UnreadableException e) {
            return Optional.of(TaskView.withMessage(id, TaskState.FAILED, "the task has a status that this gateway"
                    + " may not read (its znode's ACL)"));
        }
    }

    public static TaskView fromStatus(String id, TaskStatus status) {
        return new TaskView(id, status.state(), status.command(), null, status.worker(), status.attempt(),
                status.submittedAt(), status.startedAt(), status.finishedAt(), status.exitCode(), status.output(),
                status.outputTruncated(), status.message(), status.submittedBy(), status.attempts(), null, null,
                null);
    }

    private Optional<TaskView> queued(String id, Supplier<List<WorkerInfo>> liveWorkers) {
        Optional<byte[]> read;
        try {
            read = read(ZNodes.task(id));
        } catch (UnreadableException e) {
            return Optional.of(TaskView.withMessage(id, TaskState.QUEUED, "this gateway may not read the task's data"
                    + " (its znode's ACL); the master will fail it if it may not either"));
        }
        return read.map(data -> {
            TaskSpec spec = decodeOrNull(data);
            return spec == null
                    ? TaskView.withMessage(id, TaskState.QUEUED, "task data is malformed; the master will fail it")
                    : explained(TaskView.queued(id, spec), liveWorkers);
        });
    }

    private TaskView explained(TaskView queued, Supplier<List<WorkerInfo>> liveWorkers) {
        return waiting.of(queued, liveWorkers).map(queued::withNote).orElse(queued);
    }

    private Optional<TaskView> assigned(String id) {
        List<String> workers = children(ZNodes.ASSIGN);
        for (String worker : workers) {
            if (!ZNodes.isValidName(worker)) {
                continue;
            }
            Optional<byte[]> assignment;
            try {
                assignment = read(ZNodes.assignment(worker, id));
            } catch (UnreadableException e) {
                assignment = Optional.of(new byte[0]); // there, but not ours to read: shown without its command
            }
            if (assignment.isPresent()) {
                TaskSpec spec = decodeOrNull(assignment.get());
                Optional<RunningMarker> marker = read(ZNodes.running(id)).map(ProtocolCodec::decodeRunning);
                TaskState state = marker.isPresent() ? TaskState.RUNNING : TaskState.ASSIGNED;
                return Optional.of(TaskView.held(id, state, worker, spec,
                        marker.map(RunningMarker::startedAt).orElse(null)));
            }
        }
        return Optional.empty();
    }

    private static TaskSpec decodeOrNull(byte[] data) {
        try {
            return ProtocolCodec.decodeTask(data);
        } catch (MalformedDataException e) {
            return null;
        }
    }

    private Optional<byte[]> read(String path) {
        try {
            CuratorFramework client = zk.client();
            return Optional.of(zk.call(() -> client.getData().forPath(path)));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (KeeperException.NoAuthException e) {
            throw new UnreadableException();
        } catch (KeeperException e) {
            throw new IllegalStateException("reading " + path + ": " + e.code(), e);
        }
    }

    /** A znode that exists but whose ACL does not let this gateway read it (written by a foreign client). */
    private static final class UnreadableException extends RuntimeException {
        UnreadableException() {
            super(null, null, false, false);
        }
    }

    private List<String> children(String path) {
        try {
            CuratorFramework client = zk.client();
            return zk.call(() -> ZooKeeperClients.childrenOrEmpty(client, path));
        } catch (KeeperException e) {
            throw new IllegalStateException("listing " + path + ": " + e.code(), e);
        }
    }
}
