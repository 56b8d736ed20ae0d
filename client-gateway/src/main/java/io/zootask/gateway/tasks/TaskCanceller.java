package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.TaskFinishedException;
import io.zootask.gateway.errors.TaskNotFoundException;
import io.zootask.gateway.security.Caller;
import io.zootask.gateway.zookeeper.ZooKeeperAccess;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.ZNodes;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.springframework.stereotype.Component;

/**
 * {@code DELETE /tasks/{id}}: asks for a task back by creating {@code /cancel/<id>}, the same znode a zkCli user or a
 * foreign client creates. The gateway only asks; the master takes back a queued task, the worker an assigned or
 * running one, and either writes the {@code cancelled} status.
 */
@Component
class TaskCanceller {

    /** What a DELETE did: {@code requested} a cancel (202), or found the task {@code cancelled} already (200). */
    record Outcome(TaskView task, boolean requested) {
    }

    private final ZooKeeperAccess zk;
    private final TaskReader reader;

    TaskCanceller(ZooKeeperAccess zk, TaskReader reader) {
        this.zk = zk;
        this.reader = reader;
    }

    /**
     * Another key's task answers exactly like an unknown one (404), as for {@code GET}. A request for a task that
     * finishes meanwhile is harmless: the master removes a {@code /cancel/<id>} whose task has a status.
     */
    Outcome cancel(String id, Caller caller) {
        TaskView task = reader.find(id).filter(t -> caller.maySee(t.submittedBy()))
                .orElseThrow(() -> new TaskNotFoundException(id));
        if (task.state() == TaskState.CANCELLED) {
            return new Outcome(task, false); // repeated: what was asked for is done
        }
        if (task.state().isTerminal()) {
            throw new TaskFinishedException(id, task.state().wireName());
        }
        request(id);
        return new Outcome(reader.find(id).orElse(task), true);
    }

    private void request(String id) {
        CuratorFramework client = zk.client();
        try {
            zk.call(() -> {
                try {
                    // empty data, as a zkCli user writes it (Curator would otherwise store this host's address);
                    // persistent parents, should /cancel be missing (a container parent would vanish when empty)
                    client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                            .forPath(ZNodes.cancel(id), new byte[0]);
                } catch (KeeperException.NodeExistsException asked) {
                    // asked already: a repeated DELETE, or another client
                }
                return null;
            });
        } catch (KeeperException e) {
            throw new IllegalStateException("asking for task " + id + " back: " + e.code(), e);
        }
    }
}
