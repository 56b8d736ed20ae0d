package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * {@code /idempotency/<sha256(key)>}: created in the same transaction as the task it stands for.
 *
 * @param submission the submission token of that task (also in the task's data and its status)
 * @param request    a hash of the request, so a key reused for a different request is refused, not replayed
 * @param task       the task's id, filled in right after the transaction; absent if the gateway stopped in between
 * @param createdAt  when the key was first used; the record expires a configured time after this
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IdempotencyRecord(String submission, String request, String task, Instant createdAt) {
}
