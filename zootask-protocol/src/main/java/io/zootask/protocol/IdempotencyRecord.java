package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * {@code /idempotency/<sha256(key)>}: created in the same transaction as the task (or the batch of tasks) it stands
 * for.
 *
 * @param submission the submission token of that task (also in the task's data and its status); for a batch, the
 *                   batch's token, and task {@code i} carries {@link #batchSubmission(String, int)}
 * @param request    a hash of the request, so a key reused for a different request is refused, not replayed
 * @param task       the task's id, filled in right after the transaction; absent if the gateway stopped in between,
 *                   and for a batch
 * @param createdAt  when the key was first used; the record expires a configured time after this
 * @param batch      for a batch, how many tasks it created; absent for a single task
 * @param tasks      for a batch, the tasks' ids in the request's order, filled in right after the transaction
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IdempotencyRecord(String submission, String request, String task, Instant createdAt, Integer batch,
                                List<String> tasks) {

    public IdempotencyRecord {
        tasks = tasks == null ? null : List.copyOf(tasks);
    }

    /** The record of a single task. */
    public IdempotencyRecord(String submission, String request, String task, Instant createdAt) {
        this(submission, request, task, createdAt, null, null);
    }

    /** The submission token of the {@code index}-th task of the batch whose token is {@code batchToken}. */
    public static String batchSubmission(String batchToken, int index) {
        return batchToken + "#" + index;
    }
}
