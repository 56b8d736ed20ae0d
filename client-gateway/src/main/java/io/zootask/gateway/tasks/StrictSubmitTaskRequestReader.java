package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.InvalidRequestException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads a {@link SubmitTaskRequest} taking every value as it is written: Jackson's lenient binding turned
 * {@code "command":[1,2]} into {@code ["1","2"]}, {@code "timeoutSeconds":"5"} into 5 and {@code 5.5} into 5, so a
 * client's mistake ran as something it did not write. Here a wrong type is a 400 that names the field, or the
 * element of {@code command}, and what it was instead.
 *
 * <p>{@code null} for an optional field means "not given". Unknown fields are ignored (a newer client may send
 * more), but one of ours given twice is refused: which one counts would be a guess.
 */
final class StrictSubmitTaskRequestReader extends ValueDeserializer<SubmitTaskRequest> {

    private static final Set<String> FIELDS = Set.of("command", "timeoutSeconds", "maxAttempts", "retry",
            "delaySeconds", "notBefore", "priority", "requires");
    private static final Set<String> RETRY_FIELDS = Set.of("maxAttempts", "initialIntervalSeconds",
            "backoffCoefficient", "maximumIntervalSeconds");
    private static final String EXAMPLE = "{\"command\":[\"echo\",\"hello\"]}";

    @Override
    public SubmitTaskRequest deserialize(JsonParser p, DeserializationContext ctxt) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidRequestException("the body must be a JSON object such as " + EXAMPLE + "; it was "
                    + kind(p.currentToken()));
        }
        List<String> command = null;
        Integer timeoutSeconds = null;
        Integer maxAttempts = null;
        SubmitTaskRequest.Retry retry = null;
        Integer delaySeconds = null;
        String notBefore = null;
        Integer priority = null;
        Map<String, String> requires = null;
        Set<String> seen = new HashSet<>();
        for (JsonToken token = p.nextToken(); token == JsonToken.PROPERTY_NAME; token = p.nextToken()) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (!FIELDS.contains(name)) {
                p.skipChildren(); // unknown: ignored
                continue;
            }
            if (!seen.add(name)) {
                throw new InvalidRequestException(name + " is given twice; give it once");
            }
            switch (name) {
                case "command" -> command = command(p, value);
                case "timeoutSeconds" -> timeoutSeconds = wholeNumber(p, value, name);
                case "maxAttempts" -> maxAttempts = wholeNumber(p, value, name);
                case "retry" -> retry = retry(p, value);
                case "delaySeconds" -> delaySeconds = wholeNumber(p, value, name);
                case "notBefore" -> notBefore = instantText(p, value);
                case "priority" -> priority = wholeNumber(p, value, name);
                default -> requires = labels(p, value, name);
            }
        }
        return new SubmitTaskRequest(command, timeoutSeconds, maxAttempts, retry, delaySeconds, notBefore, priority,
                requires);
    }

    private static SubmitTaskRequest.Retry retry(JsonParser p, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new InvalidRequestException("retry must be an object such as {\"maxAttempts\":3}; it was "
                    + kind(value));
        }
        Integer maxAttempts = null;
        Integer initial = null;
        Double coefficient = null;
        Integer maximum = null;
        Set<String> seen = new HashSet<>();
        for (JsonToken token = p.nextToken(); token == JsonToken.PROPERTY_NAME; token = p.nextToken()) {
            String name = p.currentName();
            JsonToken field = p.nextToken();
            if (!RETRY_FIELDS.contains(name)) {
                p.skipChildren(); // unknown: ignored, as at the top
                continue;
            }
            String qualified = "retry." + name;
            if (!seen.add(name)) {
                throw new InvalidRequestException(qualified + " is given twice; give it once");
            }
            switch (name) {
                case "maxAttempts" -> maxAttempts = wholeNumber(p, field, qualified);
                case "initialIntervalSeconds" -> initial = wholeNumber(p, field, qualified);
                case "maximumIntervalSeconds" -> maximum = wholeNumber(p, field, qualified);
                default -> coefficient = number(p, field, qualified);
            }
        }
        return new SubmitTaskRequest.Retry(maxAttempts, initial, coefficient, maximum);
    }

    private static Double number(JsonParser p, JsonToken value, String name) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new InvalidRequestException(name + " must be a number such as 2.0, not in quotes; it was "
                    + kind(value));
        }
        double number = p.getDoubleValue();
        if (!Double.isFinite(number)) {
            throw new InvalidRequestException(name + " is out of range: see the documented limits");
        }
        return number;
    }

    /** An instant stays text here: whether it is one is said, with the field's name, by the submission's rules. */
    private static String instantText(JsonParser p, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new InvalidRequestException("notBefore must be an RFC 3339 instant in quotes, such as"
                    + " \"2030-01-01T09:00:00Z\"; it was " + kind(value));
        }
        return p.getString();
    }

    /** A JSON object of string values. What a label may be is said by {@link Labels}. */
    private static Map<String, String> labels(JsonParser p, JsonToken value, String name) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new InvalidRequestException(name + " must be an object of strings such as {\"pool\":\"gpu\"};"
                    + " it was " + kind(value));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (JsonToken token = p.nextToken(); token == JsonToken.PROPERTY_NAME; token = p.nextToken()) {
            String label = p.currentName();
            JsonToken field = p.nextToken();
            // named in the message only once known to be a short, plain name: it is the client's text
            Labels.nameProblem(label).ifPresent(problem -> {
                throw new InvalidRequestException(name + ": " + problem);
            });
            String qualified = name + "." + label;
            if (field != JsonToken.VALUE_STRING) {
                throw new InvalidRequestException(qualified + " must be a string such as \"gpu\"; it was "
                        + kind(field));
            }
            if (labels.put(label, p.getString()) != null) {
                throw new InvalidRequestException(qualified + " is given twice; give it once");
            }
            if (labels.size() > Labels.MAX_LABELS) {
                throw new InvalidRequestException(name + " has more than " + Labels.MAX_LABELS + " labels");
            }
        }
        return labels;
    }

    private static List<String> command(JsonParser p, JsonToken value) {
        if (value == JsonToken.VALUE_NULL) {
            return null; // "command is required", said by the validation
        }
        if (value != JsonToken.START_ARRAY) {
            throw new InvalidRequestException("command must be an array of strings such as [\"echo\", \"hello\"];"
                    + " it was " + kind(value));
        }
        List<String> argv = new ArrayList<>();
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            if (element != JsonToken.VALUE_STRING) {
                throw new InvalidRequestException("command[" + argv.size() + "] must be a string; it was "
                        + kind(element) + " (write numbers as strings: [\"sleep\", \"5\"])");
            }
            argv.add(p.getString());
        }
        return argv;
    }

    private static Integer wholeNumber(JsonParser p, JsonToken value, String name) {
        return wholeNumber(p, value, name, name.equals("priority") ? "7" : "60");
    }

    private static Integer wholeNumber(JsonParser p, JsonToken value, String name, String example) {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidRequestException(name + " must be a whole number such as " + example
                    + ", not in quotes; it was " + kind(value));
        }
        BigInteger number = p.getBigIntegerValue();
        if (number.bitLength() >= Integer.SIZE) {
            throw new InvalidRequestException(name + " is out of range: see the documented limits");
        }
        return number.intValue();
    }

    /** What was there instead, without echoing the value (it may be anything, and long). */
    private static String kind(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "a number";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction or an exponent";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "not a JSON value";
        };
    }
}
