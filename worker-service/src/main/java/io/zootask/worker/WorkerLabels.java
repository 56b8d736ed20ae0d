package io.zootask.worker;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a worker's labels may be: names and values of 1 to 63 letters, digits, {@code .}, {@code _} and {@code -},
 * beginning with a letter or digit (as Kubernetes labels), so that they survive every way of setting them (a
 * command-line flag, an environment variable, YAML) and every place they are shown. A reserved worker needs labels:
 * it takes only tasks that require one of them.
 */
final class WorkerLabels {

    private static final Pattern NAME_OR_VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private WorkerLabels() {
    }

    static Optional<String> problem(Map<String, String> labels, boolean reserved) {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!NAME_OR_VALUE.matcher(label.getKey()).matches()) {
                return Optional.of("zootask.worker.labels: '" + label.getKey() + "' is not a label name (1 to 63 "
                        + "letters, digits, '.', '_' or '-', beginning with a letter or digit)");
            }
            String value = label.getValue();
            if (value == null || !NAME_OR_VALUE.matcher(value).matches()) {
                return Optional.of("zootask.worker.labels." + label.getKey() + ": '" + value + "' is not a label "
                        + "value (1 to 63 letters, digits, '.', '_' or '-', beginning with a letter or digit)");
            }
        }
        if (reserved && labels.isEmpty()) {
            return Optional.of("zootask.worker.reserved=true needs zootask.worker.labels: a reserved worker takes "
                    + "only tasks that require one of its labels");
        }
        return Optional.empty();
    }
}
