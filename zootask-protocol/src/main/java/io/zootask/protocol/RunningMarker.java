package io.zootask.protocol;

import java.time.Instant;

/**
 * The ephemeral {@code /running/<task-id>} znode a worker creates when it starts a task. It lives exactly as long as
 * the executing worker's session, so the master never re-queues a task whose process may still be running.
 */
public record RunningMarker(String worker, int attempt, Instant startedAt) {
}
