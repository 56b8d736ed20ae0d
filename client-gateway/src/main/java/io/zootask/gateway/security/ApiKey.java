package io.zootask.gateway.security;

import java.util.Set;

/**
 * A configured key as the gateway holds it: its public id, the SHA-256 of the secret (never the secret) and its
 * roles.
 */
record ApiKey(String id, byte[] sha256, Set<Role> roles) {

    Caller caller() {
        return new Caller(id, roles);
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + ", " + roles + "]";
    }
}
