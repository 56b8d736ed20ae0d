package io.zootask.gateway.tasks;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a label a task {@code requires} may be, the same for a submission and for the {@code requires=name:value}
 * filter of {@code GET /tasks}: a plain name (so that {@code name:value} and the {@code pool=gpu} of a message stay
 * unambiguous) and a short printable value.
 */
final class Labels {

    static final int MAX_LABELS = 16;
    static final int MAX_NAME_LENGTH = 63;
    static final int MAX_VALUE_LENGTH = 255;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_NAME_LENGTH - 1) + "}");

    private Labels() {
    }

    /** Why {@code name} cannot be a label's name (without quoting it: it is the client's text); empty if it can. */
    static Optional<String> nameProblem(String name) {
        if (name != null && NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of("a label name must be 1 to " + MAX_NAME_LENGTH + " letters, digits, '_', '-' or '.',"
                + " starting with a letter or a digit");
    }

    /** Why {@code value} cannot be the value of label {@code name} (named {@code field} in the message). */
    static Optional<String> valueProblem(String field, String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(field + " must not be blank");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            return Optional.of(field + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(field + " contains a control character");
        }
        return Optional.empty();
    }

    /** The first problem of a whole {@code requires}, naming the field ({@code requires.pool}); empty if none. */
    static Optional<String> problem(String field, Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            return Optional.of(field + " has more than " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            Optional<String> problem = nameProblem(label.getKey()).map(p -> field + ": " + p)
                    .or(() -> valueProblem(field + "." + label.getKey(), label.getValue()));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }
}
