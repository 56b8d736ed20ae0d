package io.zootask.gateway.security;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.core.AuthenticatedPrincipal;

/**
 * Who is calling: the id of the API key that authenticated the request (never the key itself) and its roles.
 *
 * @param keyId the configured id of the key; {@code null} when the gateway runs open (no keys), where every caller
 *              may do everything and tasks record no submitter
 * @param roles what this caller may do
 */
public record Caller(String keyId, Set<Role> roles) implements AuthenticatedPrincipal {

    public Caller {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    /** The caller of a gateway without keys: bound to loopback, or explicitly declared open. */
    public static Caller open() {
        return new Caller(null, EnumSet.allOf(Role.class));
    }

    /** Whether this caller sees every task, or only those its own key submitted. */
    public boolean readsAllTasks() {
        return roles.contains(Role.READ) || roles.contains(Role.ADMIN);
    }

    /** Whether a task submitted by {@code submittedBy} (a key id, or null) may be shown to this caller. */
    public boolean maySee(String submittedBy) {
        return readsAllTasks() || (keyId != null && keyId.equals(submittedBy));
    }

    @Override
    public String getName() {
        return keyId == null ? "anonymous" : keyId;
    }

    /** The roles as the docs spell them, for messages: {@code submit, read}. */
    String describeRoles() {
        return roles.stream().sorted().map(Role::wireName).collect(Collectors.joining(", "));
    }
}
