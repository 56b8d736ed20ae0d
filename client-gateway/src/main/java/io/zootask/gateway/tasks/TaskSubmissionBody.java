package io.zootask.gateway.tasks;

import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The JSON body of {@code POST /tasks}: one task (an object), or a batch (an array of them), told apart by the body
 * itself so that both go to the one URL.
 *
 * @param single the task, when the body is an object; else null
 * @param batch  the tasks in the request's order, when the body is an array; else null
 */
@JsonDeserialize(using = TaskSubmissionBodyReader.class)
record TaskSubmissionBody(SubmitTaskRequest single, List<SubmitTaskRequest> batch) {

    /** Most tasks one batch may hold. */
    static final int MAX_BATCH = 1000;

    TaskSubmissionBody {
        batch = batch == null ? null : List.copyOf(batch);
    }

    boolean isBatch() {
        return batch != null;
    }
}
