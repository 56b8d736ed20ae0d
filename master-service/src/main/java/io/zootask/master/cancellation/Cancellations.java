package io.zootask.master.cancellation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.master.cluster.ClusterModel;
import io.zootask.master.cluster.FencedWriter;
import io.zootask.master.cluster.QueuedTask;
import io.zootask.master.cluster.Term;
import io.zootask.protocol.TaskStatus;
import io.zootask.protocol.ZNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests to take tasks back ({@code /cancel/<id>}) that are the master's to answer: a queued (or
 * delayed) task ends {@code cancelled} at once, in one fenced transaction with its removal from the queue and the
 * request's. A task assigned to a live worker is that worker's to stop; one assigned to a departed worker is taken
 * back by the recovery instead of being re-queued. A request for a task that finished anyway, or never existed, is
 * removed.
 *
 * <p>Runs on the active master's one thread.
 */
public final class Cancellations {

    private static final Logger log = LoggerFactory.getLogger(Cancellations.class);
    /** How long a request for a task found nowhere is kept: it may be on its way between two places. */
    static final Duration UNKNOWN_TASK_GRACE = Duration.ofSeconds(60);

    private final CuratorFramework client;
    private final FencedWriter writer;
    private final ClusterModel model;
    private final Term term;
    private final String masterId;
    private final Clock clock;
    private final Counter cancelled;
    private final Map<String, Instant> foundNowhereSince = new HashMap<>();

    public Cancellations(CuratorFramework client, FencedWriter writer, ClusterModel model, Term term, String masterId,
                         Clock clock, MeterRegistry meters) {
        this.client = client;
        this.writer = writer;
        this.model = model;
        this.term = term;
        this.masterId = masterId;
        this.clock = clock;
        this.cancelled = meters.counter("zootask.master.tasks.cancelled");
    }

    /** Answers every pending request the master can answer now. */
    public void handle() {
        foundNowhereSince.keySet().retainAll(model.cancelRequests());
        for (String taskId : model.cancelRequests()) {
            if (!term.writable()) {
                return;
            }
            if (model.queue().contains(taskId)) {
                model.queue().get(taskId).ifPresent(this::cancelQueued); // unread: once it is read
            } else if (model.assigneeOf(taskId).isEmpty()) {
                forgetIfFinished(taskId);
            }
        }
    }

    private void cancelQueued(QueuedTask task) {
        String taskId = task.id();
        try {
            writer.cancelQueued(taskId, TaskStatus.cancelled(task.spec(), masterId, clock.instant(), null),
                    task.version());
            model.queue().remove(taskId);
            model.removeCancelRequest(taskId);
            cancelled.increment();
            log.info("task {} cancelled while queued", taskId);
        } catch (FencedWriter.RefusedException e) {
            switch (e.refusal()) {
                case NOT_LEADER -> term.end("our election node is gone");
                case TASK_GONE -> model.queue().remove(taskId); // assigned meanwhile: its worker takes it back
                case CANCEL_GONE -> model.removeCancelRequest(taskId);
                case ALREADY_FINISHED -> forgetIfFinished(taskId);
                default -> model.queue().reread(taskId); // changed since we read it: judge it again
            }
        } catch (Exception e) {
            log.warn("cannot cancel {}: {}", taskId, e.toString());
        }
    }

    /** Neither queued nor assigned: finished (the request came late) or unknown; the request goes. */
    private void forgetIfFinished(String taskId) {
        try {
            boolean finished = client.checkExists().forPath(ZNodes.status(taskId)) != null;
            Instant since = foundNowhereSince.computeIfAbsent(taskId, t -> clock.instant());
            if (!finished && clock.instant().isBefore(since.plus(UNKNOWN_TASK_GRACE))) {
                return;
            }
            writer.removeCancelRequest(taskId);
            model.removeCancelRequest(taskId);
            foundNowhereSince.remove(taskId);
        } catch (FencedWriter.RefusedException e) {
            if (e.refusal() == FencedWriter.Refusal.NOT_LEADER) {
                term.end("our election node is gone");
            } else {
                model.removeCancelRequest(taskId);
            }
        } catch (Exception e) {
            log.warn("cannot remove the request to cancel {}: {}", taskId, e.toString());
        }
    }

    /** When an unknown task's request should be looked at again, if one is waiting. */
    public Optional<Duration> untilNextLook() {
        return foundNowhereSince.values().stream().min(Instant::compareTo)
                .map(since -> Duration.between(clock.instant(), since.plus(UNKNOWN_TASK_GRACE)))
                .map(left -> left.isNegative() ? Duration.ZERO : left);
    }
}
