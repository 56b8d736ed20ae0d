package io.zootask.worker.registration;

import io.zootask.protocol.ZNodes;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One registration of this worker: the id it holds for the life of one ZooKeeper session. When the session is lost,
 * or the worker drains and gives up what is still running, the registration is abandoned: nothing started under it
 * may write a status any more.
 */
public final class Registration {

    private final String workerId;
    private final long sessionId;
    private final AtomicBoolean abandoned = new AtomicBoolean();

    Registration(String workerId, long sessionId) {
        this.workerId = workerId;
        this.sessionId = sessionId;
    }

    public String workerId() {
        return workerId;
    }

    public long sessionId() {
        return sessionId;
    }

    public String assignmentsPath() {
        return ZNodes.assignments(workerId);
    }

    public boolean isAbandoned() {
        return abandoned.get();
    }

    /** @return true the first time only */
    boolean abandon() {
        return abandoned.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return workerId + "@0x" + Long.toHexString(sessionId);
    }
}
