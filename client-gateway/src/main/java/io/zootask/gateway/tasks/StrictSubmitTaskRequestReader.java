package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.InvalidRequestException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    private static final Set<String> FIELDS = Set.of("command", "timeoutSeconds", "maxAttempts");
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
                default -> maxAttempts = wholeNumber(p, value, name);
            }
        }
        return new SubmitTaskRequest(command, timeoutSeconds, maxAttempts);
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
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new InvalidRequestException(name + " must be a whole number such as 60, not in quotes; it was "
                    + kind(value));
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
