package io.zootask.gateway.events;

import io.zootask.gateway.security.Caller;

/**
 * One event, encoded once as the bytes of its server-sent-events frame, with what decides who may receive it.
 *
 * @param seq         its place in this gateway's stream (the number in its {@code id:})
 * @param kind        what it is about
 * @param taskId      the task it is about; null for a cluster event
 * @param submittedBy the key id that submitted that task, if known
 * @param progress    {@link TaskEvent#progress()}, for one task's stream
 * @param terminal    whether the task ended with it
 * @param bytes       {@code id: ...\nevent: ...\ndata: ...\n\n}
 */
record EventFrame(long seq, Kind kind, String taskId, String submittedBy, int progress, boolean terminal,
                  byte[] bytes) {

    /** The {@code event:} field. */
    enum Kind {
        TASK("task"), CLUSTER("cluster"), RESET("reset");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        String wireName() {
            return wireName;
        }
    }

    /**
     * Cluster events go to keys that may read the cluster (read, admin), a task's events to keys that may see the
     * task: one with the submit role sees its own tasks only, and a task whose submitter is not known to it not at all.
     * A reset goes to everyone.
     */
    boolean visibleTo(Caller caller) {
        return switch (kind) {
            case TASK -> caller.maySee(submittedBy);
            case CLUSTER -> caller.readsAllTasks();
            case RESET -> true;
        };
    }
}
