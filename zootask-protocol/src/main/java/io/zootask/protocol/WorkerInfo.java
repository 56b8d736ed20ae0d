package io.zootask.protocol;

/**
 * What a worker publishes in its ephemeral {@code /workers/<id>} znode. A worker registered by someone else may store
 * anything there; the codec turns that into a worker with one slot.
 */
public record WorkerInfo(String id, String host, Long pid, int slots, String version) {

    public WorkerInfo {
        if (slots < 1) {
            slots = 1;
        }
    }

    public static WorkerInfo foreign(String id) {
        return new WorkerInfo(id, null, null, 1, null);
    }
}
