package io.zootask.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes the data of every znode zootask uses. Writes JSON; reads JSON and also the plain text a zkCli user
 * types, so a task created with {@code create -s /tasks/task- "echo hi"} or a status written as {@code done} is
 * honoured. Reading is lenient about what foreign clients add and strict about what zootask needs.
 */
public final class ProtocolCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ProtocolCodec() {
    }

    public static byte[] encode(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    // ---- tasks ------------------------------------------------------------------------------------------------

    /**
     * A task from {@code /tasks/<id>} or an assignment. JSON when it starts with <code>{</code>, otherwise a command
     * line split on white space.
     *
     * @throws MalformedDataException with a message fit for a {@code failed} status
     */
    public static TaskSpec decodeTask(byte[] data) {
        String text = text(data).strip();
        if (text.isEmpty()) {
            throw new MalformedDataException("task data is empty: expected JSON {\"command\":[...]} or a command line");
        }
        if (!text.startsWith("{")) {
            return TaskSpec.of(splitCommandLine(text), null, null);
        }
        Map<String, Object> fields = jsonObject(text, "task");
        Object command = fields.get("command");
        List<String> argv;
        if (command instanceof List<?> list) {
            argv = new ArrayList<>(list.size());
            for (Object arg : list) {
                if (!(arg instanceof String s)) {
                    throw new MalformedDataException("task command must be an array of strings, found " + arg);
                }
                argv.add(s);
            }
        } else if (command instanceof String line) {
            argv = splitCommandLine(line);
        } else {
            throw new MalformedDataException("task JSON has no \"command\" array");
        }
        if (argv.isEmpty() || argv.get(0).isBlank()) {
            throw new MalformedDataException("task command is empty");
        }
        Integer timeout = optionalInt(fields, "timeoutSeconds", "task");
        if (timeout != null && timeout < 1) {
            throw new MalformedDataException("task timeoutSeconds must be at least 1, was " + timeout);
        }
        Integer attempt = optionalInt(fields, "attempt", "task");
        Integer maxAttempts = optionalInt(fields, "maxAttempts", "task");
        Integer priority = optionalInt(fields, "priority", "task");
        if (priority != null && (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY)) {
            throw new MalformedDataException("task priority must be between 0 and 9, was " + priority);
        }
        return new TaskSpec(argv, timeout, attempt == null ? 1 : attempt, maxAttempts,
                optionalInstant(fields, "submittedAt"), stringOrNull(fields.get("submission")),
                stringOrNull(fields.get("submittedBy")), retryPolicy(fields.get("retry")),
                optionalInstant(fields, "notBefore"), priority, labels(fields.get("requires"), "task requires"),
                attempts(fields.get("attempts")));
    }

    private static RetryPolicy retryPolicy(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new MalformedDataException("task retry must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) map;
        Object coefficient = fields.get("backoffCoefficient");
        if (coefficient != null && !(coefficient instanceof Number)) {
            throw new MalformedDataException("task retry.backoffCoefficient must be a number");
        }
        RetryPolicy policy = new RetryPolicy(optionalInt(fields, "maxAttempts", "task retry"),
                optionalInt(fields, "initialIntervalSeconds", "task retry"),
                coefficient == null ? null : ((Number) coefficient).doubleValue(),
                optionalInt(fields, "maximumIntervalSeconds", "task retry"));
        policy.problem().ifPresent(problem -> {
            throw new MalformedDataException("task " + problem);
        });
        return policy;
    }

    /** A JSON object of string values: a task's {@code requires}, a worker's {@code labels}. */
    private static Map<String, String> labels(Object value, String what) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new MalformedDataException(what + " must be a JSON object of strings");
        }
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw new MalformedDataException(what + "." + entry.getKey() + " must be a string");
            }
            labels.put(String.valueOf(entry.getKey()), text);
        }
        return labels;
    }

    /** The history is zootask's own: read leniently, an entry it cannot read is left out. */
    private static List<Attempt> attempts(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<Attempt> attempts = new ArrayList<>(list.size());
        for (Object item : list) {
            if (item instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) map;
                Integer number = optionalIntOrNull(fields.get("attempt"));
                attempts.add(new Attempt(number == null ? attempts.size() + 1 : number,
                        stringOrNull(fields.get("worker")),
                        TaskState.parse(stringOrNull(fields.get("state"))).orElse(TaskState.FAILED),
                        optionalIntOrNull(fields.get("exitCode")), optionalInstant(fields, "startedAt"),
                        optionalInstant(fields, "finishedAt"), stringOrNull(fields.get("message"))));
            }
        }
        return attempts;
    }

    /** Splits on runs of white space, the way the seeds' plain-text tasks are meant. No quoting, no shell. */
    public static List<String> splitCommandLine(String line) {
        String stripped = line.strip();
        if (stripped.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(stripped.split("\\s+"));
    }

    // ---- statuses ---------------------------------------------------------------------------------------------

    /**
     * A status from {@code /status/<id>}. Plain text naming a terminal state ({@code done}, {@code failed},
     * {@code timed_out}) is that state; any other plain text (the seeds' {@code "computed-result"}) is a finished
     * task whose output is that text.
     */
    public static TaskStatus decodeStatus(byte[] data) {
        String text = text(data).strip();
        if (!text.startsWith("{")) {
            TaskState named = TaskState.parse(text).filter(TaskState::isTerminal).orElse(null);
            if (named != null) {
                return new TaskStatus(named, null, null, null, null, null, null, null, null, null, null, null);
            }
            return new TaskStatus(TaskState.DONE, null, null, text.isEmpty() ? null : text, null, null, null, null,
                    null, null, null, null);
        }
        Map<String, Object> fields = jsonObject(text, "status");
        TaskState state = TaskState.parse(stringOrNull(fields.get("state"))).filter(TaskState::isTerminal)
                .orElse(TaskState.DONE);
        Object truncated = fields.get("outputTruncated");
        return new TaskStatus(state,
                stringList(fields.get("command")),
                optionalIntOrNull(fields.get("exitCode")),
                stringOrNull(fields.get("output")),
                truncated instanceof Boolean b ? b : null,
                stringOrNull(fields.get("worker")),
                optionalIntOrNull(fields.get("attempt")),
                optionalInstant(fields, "submittedAt"),
                optionalInstant(fields, "startedAt"),
                optionalInstant(fields, "finishedAt"),
                stringOrNull(fields.get("message")),
                stringOrNull(fields.get("submission")),
                stringOrNull(fields.get("submittedBy")),
                attempts(fields.get("attempts")));
    }

    // ---- workers, masters, running markers ----------------------------------------------------------------------

    /** A worker's registration. Anything that is not our JSON (the seeds' {@code "Idle"}, empty) is one slot. */
    public static WorkerInfo decodeWorker(String workerId, byte[] data) {
        String text = text(data).strip();
        if (!text.startsWith("{")) {
            return WorkerInfo.foreign(workerId);
        }
        try {
            Map<String, Object> fields = jsonObject(text, "worker");
            Integer slots = optionalIntOrNull(fields.get("slots"));
            Object pid = fields.get("pid");
            Map<String, String> labels;
            try {
                labels = labels(fields.get("labels"), "worker labels");
            } catch (MalformedDataException e) {
                labels = Map.of(); // a foreign worker's odd labels match nothing
            }
            return new WorkerInfo(workerId, stringOrNull(fields.get("host")),
                    pid instanceof Number n ? n.longValue() : null,
                    slots == null ? 1 : slots, stringOrNull(fields.get("version")), labels,
                    fields.get("reserved") instanceof Boolean b ? b : null);
        } catch (MalformedDataException e) {
            return WorkerInfo.foreign(workerId);
        }
    }

    /** The {@code /master} znode. A master created by hand ({@code create -e /master "m1.example.com"}) is its text. */
    public static MasterInfo decodeMaster(byte[] data) {
        String text = text(data).strip();
        if (!text.startsWith("{")) {
            return new MasterInfo(text, text, null, null);
        }
        try {
            Map<String, Object> fields = jsonObject(text, "master");
            Object pid = fields.get("pid");
            return new MasterInfo(stringOrNull(fields.get("id")), stringOrNull(fields.get("host")),
                    pid instanceof Number n ? n.longValue() : null, optionalInstant(fields, "since"));
        } catch (MalformedDataException e) {
            return new MasterInfo(text, null, null, null);
        }
    }

    public static RunningMarker decodeRunning(byte[] data) {
        String text = text(data).strip();
        if (!text.startsWith("{")) {
            return new RunningMarker(text.isEmpty() ? null : text, 1, null);
        }
        try {
            Map<String, Object> fields = jsonObject(text, "running marker");
            Integer attempt = optionalIntOrNull(fields.get("attempt"));
            return new RunningMarker(stringOrNull(fields.get("worker")), attempt == null ? 1 : attempt,
                    optionalInstant(fields, "startedAt"));
        } catch (MalformedDataException e) {
            return new RunningMarker(null, 1, null);
        }
    }

    public static IdempotencyRecord decodeIdempotencyRecord(byte[] data) {
        Map<String, Object> fields = jsonObject(text(data), "idempotency record");
        return new IdempotencyRecord(stringOrNull(fields.get("submission")), stringOrNull(fields.get("request")),
                stringOrNull(fields.get("task")), optionalInstant(fields, "createdAt"),
                optionalIntOrNull(fields.get("batch")),
                stringList(fields.get("tasks")));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static String text(byte[] data) {
        return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(String text, String what) {
        try {
            Object value = MAPPER.readValue(text, Object.class);
            if (value instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
        } catch (JacksonException e) {
            throw new MalformedDataException(what + " data is not valid JSON: " + withoutInternals(e), e);
        }
        throw new MalformedDataException(what + " data is not a JSON object");
    }

    /**
     * Jackson's message, which ends up in a status a user reads, without the names of Jackson's internals it may add
     * to a limit ({@code "(500, from `StreamReadConstraints.getMaxNestingDepth()`)"}).
     */
    private static String withoutInternals(JacksonException e) {
        return String.valueOf(e.getOriginalMessage()).replaceAll(",? from `[^`]*`", "");
    }

    private static Integer optionalInt(Map<String, Object> fields, String name, String what) {
        Object value = fields.get(name);
        if (value == null) {
            return null;
        }
        Integer result = optionalIntOrNull(value);
        if (result == null) {
            throw new MalformedDataException(what + " field \"" + name + "\" must be an integer, was " + value);
        }
        return result;
    }

    private static Integer optionalIntOrNull(Object value) {
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        return null;
    }

    private static List<String> stringList(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object item : list) {
            strings.add(String.valueOf(item));
        }
        return strings;
    }

    private static String stringOrNull(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Instant optionalInstant(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        try {
            if (value instanceof String s) {
                return IsoInstants.parse(s);
            }
            if (value instanceof Number n) {
                return Instant.ofEpochMilli(n.longValue());
            }
        } catch (DateTimeParseException e) {
            return null;
        }
        return null;
    }
}
