package io.zootask.gateway.tasks;

import io.zootask.gateway.GatewayProperties;
import io.zootask.gateway.errors.InvalidRequestException;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.RetryPolicy;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.ZNodes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Turns a submission into the task to store, or refuses it with a 400 that names the field: everything is checked
 * before anything is written, so a refused request leaves nothing in ZooKeeper.
 */
@Component
class SubmissionRules {

    /** The furthest a task may be put off, by {@code delaySeconds}, {@code notBefore} or a retry's pause. */
    static final long MAX_DELAY_SECONDS = Duration.ofDays(365).toSeconds();
    /** Beyond this a pause is as long as {@link #MAX_DELAY_SECONDS} after very few attempts; and it stays finite. */
    static final double MAX_BACKOFF_COEFFICIENT = 100;

    private final GatewayProperties limits;

    SubmissionRules(GatewayProperties limits) {
        this.limits = limits;
    }

    /**
     * The task as it goes into {@code /tasks}: {@code delaySeconds} becomes a {@code notBefore} counted from
     * {@code now}.
     */
    TaskSpec taskOf(SubmitTaskRequest request, Instant now, String submission, String submittedBy) {
        checkCommand(request.command());
        Integer timeoutSeconds = request.timeoutSeconds();
        if (timeoutSeconds != null && (timeoutSeconds < 1 || timeoutSeconds > limits.maxTimeoutSeconds())) {
            throw new InvalidRequestException("timeoutSeconds must be between 1 and " + limits.maxTimeoutSeconds());
        }
        Integer maxAttempts = request.maxAttempts();
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > RetryPolicy.MAX_ATTEMPTS_LIMIT)) {
            throw new InvalidRequestException("maxAttempts must be between 1 and " + RetryPolicy.MAX_ATTEMPTS_LIMIT);
        }
        RetryPolicy retry = retry(request.retry());
        if (retry != null && maxAttempts != null && retry.maxAttempts() != null
                && !retry.maxAttempts().equals(maxAttempts)) {
            throw new InvalidRequestException("maxAttempts and retry.maxAttempts differ; they are the same setting,"
                    + " give one of them");
        }
        Integer priority = request.priority();
        if (priority != null && (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY)) {
            throw new InvalidRequestException("priority must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + " (higher runs first; default " + TaskSpec.DEFAULT_PRIORITY + ")");
        }
        Map<String, String> requires = request.requires() == null ? Map.of() : request.requires();
        Labels.problem("requires", requires).ifPresent(problem -> {
            throw new InvalidRequestException(problem);
        });
        return new TaskSpec(request.command(), timeoutSeconds, 1, maxAttempts, now, submission, submittedBy, retry,
                notBefore(request, now), priority, requires, null);
    }

    /**
     * What makes two submissions "the same request" for an Idempotency-Key: the request as written (a
     * {@code delaySeconds}, not the instant it came to), so that a retry of it later is still the same request.
     */
    static String requestHash(SubmitTaskRequest request) {
        // deterministic across gateways and JVMs: NUL cannot occur inside an argument (validated)
        String canonical = String.join("\0", request.command()) + "\0|" + request.timeoutSeconds() + "|"
                + request.maxAttempts();
        if (request.hasLifecycleFields()) { // a request without them hashes as it did before they existed
            List<Object> lifecycle = Arrays.asList(request.retry(), request.delaySeconds(), request.notBefore(),
                    request.priority(), request.requires() == null ? null : new TreeMap<>(request.requires()));
            canonical += "|" + new String(ProtocolCodec.encode(lifecycle), java.nio.charset.StandardCharsets.UTF_8);
        }
        return ZNodes.nameOf(ZNodes.idempotencyRecord(canonical));
    }

    /**
     * {@link #requestHash} of a batch: its tasks' hashes in order, marked as a batch, so that neither a single task nor
     * the same tasks in another order or number is "the same request".
     */
    static String batchHash(List<SubmitTaskRequest> requests) {
        StringBuilder canonical = new StringBuilder("batch");
        for (SubmitTaskRequest request : requests) {
            canonical.append('|').append(requestHash(request));
        }
        return ZNodes.nameOf(ZNodes.idempotencyRecord(canonical.toString()));
    }

    private void checkCommand(List<String> command) {
        if (command == null || command.isEmpty()) {
            throw new InvalidRequestException("command is required: a non-empty array such as [\"echo\", \"hello\"]");
        }
        if (command.size() > limits.maxArguments()) {
            throw new InvalidRequestException("command has " + command.size() + " arguments; at most "
                    + limits.maxArguments() + " are allowed");
        }
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (arg == null) {
                throw new InvalidRequestException("command[" + i + "] is null; every argument must be a string");
            }
            if (arg.length() > limits.maxArgumentLength()) {
                throw new InvalidRequestException("command[" + i + "] is " + arg.length() + " characters long; at most "
                        + limits.maxArgumentLength() + " are allowed");
            }
            if (arg.indexOf('\0') >= 0) {
                throw new InvalidRequestException("command[" + i + "] contains a NUL character");
            }
        }
        if (command.get(0).isBlank()) {
            throw new InvalidRequestException("command[0], the executable, must not be blank");
        }
    }

    private static RetryPolicy retry(SubmitTaskRequest.Retry retry) {
        if (retry == null) {
            return null;
        }
        RetryPolicy policy = new RetryPolicy(retry.maxAttempts(), retry.initialIntervalSeconds(),
                retry.backoffCoefficient(), retry.maximumIntervalSeconds());
        policy.problem().ifPresent(problem -> {
            throw new InvalidRequestException(problem);
        });
        checkInterval("retry.initialIntervalSeconds", retry.initialIntervalSeconds());
        checkInterval("retry.maximumIntervalSeconds", retry.maximumIntervalSeconds());
        if (retry.backoffCoefficient() != null && retry.backoffCoefficient() > MAX_BACKOFF_COEFFICIENT) {
            throw new InvalidRequestException("retry.backoffCoefficient must be between 1 and "
                    + MAX_BACKOFF_COEFFICIENT);
        }
        return policy;
    }

    private static void checkInterval(String field, Integer seconds) {
        if (seconds != null && seconds > MAX_DELAY_SECONDS) {
            throw new InvalidRequestException(field + " must be between 0 and " + MAX_DELAY_SECONDS + " (a year)");
        }
    }

    private static Instant notBefore(SubmitTaskRequest request, Instant now) {
        Integer delay = request.delaySeconds();
        String at = request.notBefore();
        if (delay != null && at != null) {
            throw new InvalidRequestException("delaySeconds and notBefore are two ways to say the same thing; give"
                    + " one of them");
        }
        if (delay != null) {
            if (delay < 0 || delay > MAX_DELAY_SECONDS) {
                throw new InvalidRequestException("delaySeconds must be between 0 and " + MAX_DELAY_SECONDS
                        + " (a year)");
            }
            return now.plusSeconds(delay);
        }
        if (at == null) {
            return null;
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(at).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("notBefore must be an RFC 3339 instant with a time zone, such as"
                    + " \"2030-01-01T09:00:00Z\" or \"2030-01-01T10:00:00+01:00\"");
        }
        Duration away = Duration.between(now, instant).abs();
        if (away.toSeconds() > MAX_DELAY_SECONDS) {
            throw new InvalidRequestException("notBefore must be within a year of now");
        }
        return instant;
    }
}
