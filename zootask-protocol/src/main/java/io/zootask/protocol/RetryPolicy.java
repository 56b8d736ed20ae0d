package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * When a failed execution of a task runs again (a non-zero exit, {@code timed_out}, or its worker lost): until
 * {@link #maxAttempts()} executions were made, attempt k+1 starting no earlier than
 * {@code min(initial × coefficient^(k-1), maximum)} seconds after attempt k ended. A cancelled task never runs again.
 *
 * <p>Every field is optional. A task with no policy at all (neither {@code retry} nor the older top-level
 * {@code maxAttempts}) gets {@link #DEFAULT}, which runs again only executions lost with their worker, and with no
 * pause ({@link TaskSpec#nextAttempt}): a task's own failure is final unless it asks for retries.
 *
 * @param maxAttempts            executions in all, the first included; default {@value #DEFAULT_MAX_ATTEMPTS}
 * @param initialIntervalSeconds the pause before the second attempt; default 1
 * @param backoffCoefficient     each pause is this many times the one before; default 2.0, at least 1
 * @param maximumIntervalSeconds no pause is longer; default 60
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetryPolicy(Integer maxAttempts, Integer initialIntervalSeconds, Double backoffCoefficient,
                          Integer maximumIntervalSeconds) {

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int DEFAULT_INITIAL_INTERVAL_SECONDS = 1;
    public static final double DEFAULT_BACKOFF_COEFFICIENT = 2.0;
    public static final int DEFAULT_MAXIMUM_INTERVAL_SECONDS = 60;
    /** The most executions a policy may ask for. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;

    /** The policy of a task that asks for none: lost executions only, up to three. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(null, null, null, null);

    public int effectiveMaxAttempts() {
        return maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts;
    }

    /** The pause between the end of attempt {@code finished} and the start of the next one. */
    public Duration pauseAfter(int finished) {
        double initial = initialIntervalSeconds == null ? DEFAULT_INITIAL_INTERVAL_SECONDS : initialIntervalSeconds;
        double coefficient = backoffCoefficient == null ? DEFAULT_BACKOFF_COEFFICIENT : backoffCoefficient;
        double maximum = maximumIntervalSeconds == null ? DEFAULT_MAXIMUM_INTERVAL_SECONDS : maximumIntervalSeconds;
        double seconds = Math.min(initial * Math.pow(coefficient, Math.max(0, finished - 1)), maximum);
        return Duration.ofMillis(Math.round(Math.max(0, seconds) * 1000));
    }

    /** Why this policy cannot be honoured, naming the field; empty when it is fine. */
    public java.util.Optional<String> problem() {
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)) {
            return java.util.Optional.of("retry.maxAttempts must be between 1 and " + MAX_ATTEMPTS_LIMIT);
        }
        if (initialIntervalSeconds != null && initialIntervalSeconds < 0) {
            return java.util.Optional.of("retry.initialIntervalSeconds must not be negative");
        }
        if (backoffCoefficient != null && (backoffCoefficient.isNaN() || backoffCoefficient < 1)) {
            return java.util.Optional.of("retry.backoffCoefficient must be at least 1");
        }
        if (maximumIntervalSeconds != null && maximumIntervalSeconds < 0) {
            return java.util.Optional.of("retry.maximumIntervalSeconds must not be negative");
        }
        return java.util.Optional.empty();
    }
}
