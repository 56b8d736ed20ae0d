package io.zootask.gateway.security;

import java.util.Locale;

/**
 * What an API key may do. Three coarse roles are enough for a task queue: who may add work, who may watch all of it,
 * and who operates the gateway.
 */
enum Role {
    /** POST /tasks, and read the tasks this same key submitted. */
    SUBMIT,
    /** Read every task and the cluster view; actuator details, info and metrics. */
    READ,
    /** Everything. */
    ADMIN;

    /** As Spring Security spells it, so {@code hasRole} and the health endpoint's {@code roles} both match. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** As configuration and documentation spell it: {@code submit}, {@code read}, {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
