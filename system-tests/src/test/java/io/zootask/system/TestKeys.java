package io.zootask.system;

/**
 * The gateway API keys the system tests use (test keys only; long enough for the gateway's minimum), and how a
 * gateway is configured with all four as plain keys.
 */
final class TestKeys {

    static final String ALICE = "alice-submit-key-0123456789";
    static final String BOB = "bob-submit-key-0123456789abc";
    static final String READER = "reader-key-0123456789abcdef";
    static final String ADMIN = "admin-key-0123456789abcdefgh";

    private TestKeys() {
    }

    /** alice and bob may submit, dashboard may read, ops is admin; then {@code more}. */
    static String[] allFour(String... more) {
        String[] keys = {
            "zootask.gateway.security.keys[0].id=alice",
            "zootask.gateway.security.keys[0].key=" + ALICE,
            "zootask.gateway.security.keys[0].roles=submit",
            "zootask.gateway.security.keys[1].id=bob",
            "zootask.gateway.security.keys[1].key=" + BOB,
            "zootask.gateway.security.keys[1].roles=submit",
            "zootask.gateway.security.keys[2].id=dashboard",
            "zootask.gateway.security.keys[2].key=" + READER,
            "zootask.gateway.security.keys[2].roles=read",
            "zootask.gateway.security.keys[3].id=ops",
            "zootask.gateway.security.keys[3].key=" + ADMIN,
            "zootask.gateway.security.keys[3].roles=admin"};
        String[] all = java.util.Arrays.copyOf(keys, keys.length + more.length);
        System.arraycopy(more, 0, all, keys.length, more.length);
        return all;
    }
}
