package io.zootask.protocol;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * The identity zootask's services use in ZooKeeper's secured mode: ZooKeeper's own {@code digest} scheme, the
 * {@code addauth digest user:password} of the seeds. Every znode the services create then carries {@link #acl()}: all
 * rights for this identity and for the optional admin identity, nothing for anyone else.
 *
 * @param username    the digest user name (no {@code ':'}); all services of one cluster share it
 * @param password    its password; never logged ({@link #toString()} masks it)
 * @param adminDigest optional: the digest id {@code name:base64(sha1(name:password))} of an administrator that also
 *                    gets all rights on every znode (so an operator can inspect and repair without the services'
 *                    password); {@code null} for none. Generate one with ZooKeeper's own tool:
 *                    {@code java -cp zookeeper.jar org.apache.zookeeper.server.auth.DigestAuthenticationProvider
 *                    admin:secret}
 */
public record ZooKeeperAuth(String username, String password, String adminDigest) {

    /** ZooKeeper's authentication scheme for user:password credentials. */
    public static final String SCHEME = "digest";

    /** A digest id as ZooKeeper prints it: a name, a colon, and the base64 of a 20-byte SHA-1. */
    private static final Pattern DIGEST_ID = Pattern.compile("[^:\\s]+:[A-Za-z0-9+/]{27}=");

    /** Environment variables a non-Spring tool reads, named as Spring's relaxed binding names them. */
    public static final String ENV_USERNAME = "ZOOTASK_ZOOKEEPER_AUTH_USERNAME";
    public static final String ENV_PASSWORD = "ZOOTASK_ZOOKEEPER_AUTH_PASSWORD";
    public static final String ENV_ADMIN_DIGEST = "ZOOTASK_ZOOKEEPER_AUTH_ADMINDIGEST";

    public ZooKeeperAuth {
        if (username == null || username.isBlank()) {
            throw new IllegalArgumentException("the ZooKeeper user name must not be empty");
        }
        if (username.contains(":") || !username.strip().equals(username)) {
            throw new IllegalArgumentException("the ZooKeeper user name must not contain ':' or surrounding blanks");
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the ZooKeeper password of user '" + username + "' must not be empty");
        }
        adminDigest = adminDigest == null || adminDigest.isBlank() ? null : adminDigest.strip();
        if (adminDigest != null && !DIGEST_ID.matcher(adminDigest).matches()) {
            throw new IllegalArgumentException("the admin digest must be a ZooKeeper digest id"
                    + " 'name:base64(sha1(name:password))' (28 base64 characters after the colon), as printed by"
                    + " org.apache.zookeeper.server.auth.DigestAuthenticationProvider name:password");
        }
    }

    /**
     * Credentials from the environment ({@value #ENV_USERNAME}, {@value #ENV_PASSWORD}, {@value #ENV_ADMIN_DIGEST}),
     * for tools that are not Spring applications; {@code null} when no user name is set (open mode).
     */
    public static ZooKeeperAuth fromEnvironment(Map<String, String> env) {
        String username = env.get(ENV_USERNAME);
        if (username == null || username.isBlank()) {
            return null;
        }
        return new ZooKeeperAuth(username, env.get(ENV_PASSWORD), env.get(ENV_ADMIN_DIGEST));
    }

    /** What {@code addauth digest} sends: {@code user:password}. */
    public byte[] credentials() {
        return (username + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** This identity as it appears in an ACL: {@code user:base64(sha1(user:password))}. */
    public String digestId() {
        return digestOf(username + ":" + password);
    }

    /** The ACL of every znode zootask creates in secured mode. */
    public List<ACL> acl() {
        List<ACL> acl = new ArrayList<>();
        acl.add(new ACL(ZooDefs.Perms.ALL, new Id(SCHEME, digestId())));
        if (adminDigest != null && !adminDigest.equals(digestId())) {
            acl.add(new ACL(ZooDefs.Perms.ALL, new Id(SCHEME, adminDigest)));
        }
        // not List.copyOf: ZooKeeper's validateACL asks contains(null), which immutable lists answer with an NPE
        return Collections.unmodifiableList(acl);
    }

    /** ZooKeeper's digest id of {@code user:password} (the server computes the same on {@code addauth}). */
    public static String digestOf(String userColonPassword) {
        try {
            return DigestAuthenticationProvider.generateDigest(userColonPassword);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM cannot compute ZooKeeper digests", e);
        }
    }

    /** The admin identity's name, if any: the part of its digest id before the colon. */
    public String adminName() {
        return adminDigest == null ? null : adminDigest.substring(0, adminDigest.indexOf(':'));
    }

    @Override
    public String toString() {
        return "ZooKeeperAuth[username=" + username + ", password=****"
                + (adminDigest == null ? "" : ", admin=" + adminName()) + "]";
    }
}
