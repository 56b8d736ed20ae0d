package io.zootask.worker.execution;

import io.zootask.protocol.TaskState;
import java.time.Instant;

/** What became of one process: how it ended, and the tail of what it printed. */
public record ExecutionResult(TaskState state, Integer exitCode, String output, boolean outputTruncated,
                              Instant startedAt, Instant finishedAt, String message) {
}
