package io.zootask.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What a worker publishes in its ephemeral {@code /workers/<id>} znode. A worker registered by someone else may store
 * anything there; the codec turns that into a worker with one slot and no labels.
 *
 * @param labels   what tasks may require of it ({@code pool=gpu}); see {@link Routing}
 * @param reserved whether it takes only tasks that require one of its labels
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerInfo(String id, String host, Long pid, int slots, String version,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels, Boolean reserved) {

    public WorkerInfo {
        if (slots < 1) {
            slots = 1;
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public WorkerInfo(String id, String host, Long pid, int slots, String version) {
        this(id, host, pid, slots, version, null, null);
    }

    public static WorkerInfo foreign(String id) {
        return new WorkerInfo(id, null, null, 1, null);
    }

    @JsonIgnore
    public boolean isReserved() {
        return Boolean.TRUE.equals(reserved) && !labels.isEmpty();
    }

    public WorkerInfo withId(String newId) {
        return new WorkerInfo(newId, host, pid, slots, version, labels, reserved);
    }
}
