package io.zootask.worker.registration;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When this worker must have given up its session's work: before the ZooKeeper server can expire the session and the
 * master hand its tasks to another worker. The server restarts a session's expiry on each packet it receives from
 * the client, so the last point it certainly heard from us is the send time of the last request whose reply came
 * back; it cannot expire the session sooner than a session timeout after that. (The client's own silence detector is
 * no measure: it counts any packet it receives, a watch notification too, while the server may hear nothing.)
 *
 * <p>The margin covers the server's side (in an ensemble, the leader, which expires sessions, learns of a follower's
 * clients once per half tick) and ours (noticing, then killing the processes).
 */
final class SessionDeadline {

    private record Heard(long sessionId, long atNanos) {
    }

    private final Duration margin;
    private final AtomicReference<Heard> last = new AtomicReference<>();

    SessionDeadline(Duration margin) {
        this.margin = margin;
    }

    /** A reply came to a request that session {@code sessionId} sent at {@code sentAtNanos}. */
    void heard(long sessionId, long sentAtNanos) {
        Heard now = new Heard(sessionId, sentAtNanos);
        last.accumulateAndGet(now, (previous, next) -> previous == null || previous.sessionId() != next.sessionId()
                || next.atNanos() - previous.atNanos() > 0 ? next : previous);
    }

    /**
     * @return how long the work of {@code sessionId} may go on from {@code nowNanos}; zero or less means it must stop
     *         now (also when nothing was ever heard in that session)
     */
    long nanosLeft(long sessionId, Duration sessionTimeout, long nowNanos) {
        Heard heard = last.get();
        if (heard == null || heard.sessionId() != sessionId) {
            return 0;
        }
        Duration kept = margin.compareTo(sessionTimeout.dividedBy(2)) > 0 ? sessionTimeout.dividedBy(2) : margin;
        return heard.atNanos() + sessionTimeout.toNanos() - kept.toNanos() - nowNanos;
    }

    /** How long ago the server last certainly heard from {@code sessionId}, for messages. */
    Duration sinceHeard(long sessionId, long nowNanos) {
        Heard heard = last.get();
        return heard == null || heard.sessionId() != sessionId ? null : Duration.ofNanos(nowNanos - heard.atNanos());
    }
}
