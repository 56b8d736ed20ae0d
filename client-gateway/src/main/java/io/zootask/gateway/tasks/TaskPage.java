package io.zootask.gateway.tasks;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of {@code GET /tasks}, newest first.
 *
 * @param nextCursor pass as {@code cursor} to get the next (older) page; absent on the last page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record TaskPage(List<TaskView> items, String nextCursor) {
}
