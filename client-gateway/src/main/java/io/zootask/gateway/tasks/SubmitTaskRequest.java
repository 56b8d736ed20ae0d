package io.zootask.gateway.tasks;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The JSON body of {@code POST /tasks}. Every field but {@code command} is optional; {@code null} means "not given".
 *
 * @param command        the executable and its arguments, run without a shell
 * @param timeoutSeconds optional; the worker's default (1 hour) otherwise
 * @param maxAttempts    optional; the older spelling of {@code retry.maxAttempts}
 * @param retry          optional; when a failed execution runs again
 * @param delaySeconds   optional; no execution starts earlier than this long after the submission
 * @param notBefore      optional, instead of {@code delaySeconds}: an RFC 3339 instant, as the client wrote it
 * @param priority       optional; 0 to 9, higher first, default 5
 * @param requires       optional; labels a worker must carry to run the task
 */
@JsonDeserialize(using = StrictSubmitTaskRequestReader.class)
record SubmitTaskRequest(
        @Schema(example = "[\"echo\", \"hello\"]", requiredMode = Schema.RequiredMode.REQUIRED) List<String> command,
        @Schema(example = "60") Integer timeoutSeconds,
        @Schema(example = "3", description = "the older spelling of retry.maxAttempts; both are accepted")
        Integer maxAttempts,
        @Schema(description = "run a failed execution (non-zero exit, timed_out, lost worker) again") Retry retry,
        @Schema(example = "30", description = "no execution starts earlier than this many seconds after the"
                + " submission (0 to 31536000); not together with notBefore") Integer delaySeconds,
        @Schema(example = "2030-01-01T09:00:00Z", format = "date-time", description = "no execution starts earlier"
                + " (an RFC 3339 instant, at most a year ahead); not together with delaySeconds") String notBefore,
        @Schema(example = "7", minimum = "0", maximum = "9", description = "higher runs first; default 5")
        Integer priority,
        @Schema(example = "{\"pool\": \"gpu\"}", description = "labels a worker must carry to run the task; string"
                + " values") Map<String, String> requires) {

    /** A command line sent as text/plain: every other field takes its default. */
    static SubmitTaskRequest ofCommand(List<String> command) {
        return new SubmitTaskRequest(command, null, null, null, null, null, null, null);
    }

    /** Whether any field newer than {@code command}, {@code timeoutSeconds} and {@code maxAttempts} was given. */
    boolean hasLifecycleFields() {
        return retry != null || delaySeconds != null || notBefore != null || priority != null || requires != null;
    }

    /**
     * {@code retry} as the client wrote it; each field optional.
     *
     * @param maxAttempts            executions in all, the first included (1 to 100); default 3
     * @param initialIntervalSeconds the pause before the second attempt; default 1
     * @param backoffCoefficient     each pause is this many times the one before (1 to 100); default 2.0
     * @param maximumIntervalSeconds no pause is longer; default 60
     */
    record Retry(@Schema(example = "3") Integer maxAttempts,
                 @Schema(example = "1") Integer initialIntervalSeconds,
                 @Schema(example = "2.0") Double backoffCoefficient,
                 @Schema(example = "60") Integer maximumIntervalSeconds) {
    }
}
