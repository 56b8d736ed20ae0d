package io.zootask.gateway.tasks;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The JSON body of {@code POST /tasks}.
 *
 * @param command        the executable and its arguments, run without a shell
 * @param timeoutSeconds optional; the worker's default (1 hour) otherwise
 * @param maxAttempts    optional; how many executions lost workers may cost before the task fails
 */
@JsonDeserialize(using = StrictSubmitTaskRequestReader.class)
record SubmitTaskRequest(
        @Schema(example = "[\"echo\", \"hello\"]", requiredMode = Schema.RequiredMode.REQUIRED) List<String> command,
        @Schema(example = "60") Integer timeoutSeconds,
        @Schema(example = "3") Integer maxAttempts) {
}
