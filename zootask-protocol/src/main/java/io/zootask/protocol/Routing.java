package io.zootask.protocol;

import java.util.Map;

/**
 * Which worker may run which task. A task that {@code requires} labels runs only on a worker whose labels contain
 * every one of those pairs; a task without requirements runs on any worker, except a <em>reserved</em> one, which
 * takes only tasks that require at least one of its labels.
 */
public final class Routing {

    private Routing() {
    }

    public static boolean runsOn(Map<String, String> requires, WorkerInfo worker) {
        Map<String, String> labels = worker.labels();
        if (requires == null || requires.isEmpty()) {
            return !worker.isReserved();
        }
        for (Map.Entry<String, String> pair : requires.entrySet()) {
            if (!pair.getValue().equals(labels.get(pair.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code pool=gpu, zone=eu}: how a message names what a task waits for. */
    public static String describe(Map<String, String> requires) {
        StringBuilder text = new StringBuilder();
        new java.util.TreeMap<>(requires).forEach((k, v) -> text.append(text.isEmpty() ? "" : ", ").append(k)
                .append('=').append(v));
        return text.toString();
    }
}
