package io.zootask.master.recovery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How long an empty {@code /assign/<w>} without a live {@code /workers/<w>} is left alone before the master removes
 * it. A worker of the seeds (the ZooKeeper book's) creates {@code /assign/<w>} first and {@code /workers/<w>} after,
 * then watches the parent's children: removing the parent in between would leave it watching nothing, so it never
 * receives a task. A parent is removed only once it has stayed empty and ownerless for the whole grace.
 *
 * <p>Touched by the active master's one thread only.
 */
final class AssignParentGrace {

    private final Duration grace;
    private final Clock clock;
    private final Map<String, Instant> ownerlessSince = new HashMap<>();

    AssignParentGrace(Duration grace, Clock clock) {
        this.grace = grace;
        this.clock = clock;
    }

    /** Whether this ownerless, empty parent has been so for the whole grace; starts its clock at the first look. */
    boolean expired(String workerId) {
        Instant now = clock.instant();
        Instant since = ownerlessSince.computeIfAbsent(workerId, w -> now);
        return !now.isBefore(since.plus(grace));
    }

    /** Forgets every parent that is not ownerless and empty any more (its worker came, or a task was put there). */
    void retainOnly(Set<String> ownerlessEmpty) {
        ownerlessSince.keySet().retainAll(ownerlessEmpty);
    }

    void forget(String workerId) {
        ownerlessSince.remove(workerId);
    }

    /** How long until the next parent's grace ends, if any is waiting. */
    Optional<Duration> untilNextExpiry() {
        Instant now = clock.instant();
        return ownerlessSince.values().stream().min(Instant::compareTo)
                .map(since -> {
                    Duration left = Duration.between(now, since.plus(grace));
                    return left.isNegative() ? Duration.ZERO : left;
                });
    }

}
