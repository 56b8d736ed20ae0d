package io.zootask.protocol;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * Builds Curator clients from {@link ZooKeeperSettings} and lays down the protocol's parent znodes. Every client of
 * zootask (the services, the launcher's and the benchmark's tools, the tests' harness) is built here, so that the
 * secured mode (digest credentials, ACLs) and ZooKeeper's client settings (TLS) apply everywhere alike.
 */
public final class ZooKeeperClients {

    /** Open mode's ACL: the seeds' zkCli walk-throughs as written, anyone may do anything. */
    public static final List<ACL> OPEN_ACL = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    private static final Map<String, String> KNOWN_CLIENT_PROPERTIES = knownClientProperties();

    private ZooKeeperClients() {
    }

    /**
     * A new, not yet started client. The caller owns it: start it, and close it when done. In secured mode it
     * authenticates with {@code digest} credentials on every (re)connection and every znode it creates, including
     * parents created by Curator's recipes ({@code creatingParentsIfNeeded}, leader latches, service discovery), gets
     * {@link #acl(ZooKeeperSettings)}.
     */
    public static CuratorFramework newClient(ZooKeeperSettings settings) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.connectString())
                .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry((int) settings.retryBaseSleep().toMillis(),
                        settings.retryMaxAttempts()))
                .aclProvider(aclProvider(settings));
        if (settings.auth() != null) {
            builder.authorization(ZooKeeperAuth.SCHEME, settings.auth().credentials());
        }
        if (!settings.clientProperties().isEmpty()) {
            builder.zkClientConfig(clientConfig(settings.clientProperties()));
        }
        return builder.build();
    }

    /** The ACL of every znode zootask creates: {@link #OPEN_ACL} in open mode, the identity's (and admin's) in secured. */
    public static List<ACL> acl(ZooKeeperSettings settings) {
        return settings.auth() == null ? OPEN_ACL : settings.auth().acl();
    }

    /**
     * Curator's {@link ACLProvider} for these settings: the same ACL for every path. Also for code that writes on the
     * raw ZooKeeper handle ({@code ZooKeeper.create}, {@code Op.create}), which Curator's provider does not reach.
     */
    public static ACLProvider aclProvider(ZooKeeperSettings settings) {
        List<ACL> acl = acl(settings);
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    /**
     * ZooKeeper's client configuration: its defaults (including {@code -Dzookeeper.*} system properties), overridden
     * by {@code properties}. Keys are ZooKeeper's own ({@code zookeeper.client.secure},
     * {@code zookeeper.ssl.keyStore.location}, ...); a key that matches a known one but for case (as an environment
     * variable such as {@code ..._ZOOKEEPER_SSL_KEYSTORE_LOCATION} arrives, lower-cased by Spring) is given its
     * proper spelling. Other keys are passed as they are.
     */
    public static ZKClientConfig clientConfig(Map<String, String> properties) {
        ZKClientConfig config = new ZKClientConfig();
        canonicalClientProperties(properties).forEach(config::setProperty);
        return config;
    }

    /** The keys spelled as ZooKeeper expects them (see {@link #clientConfig(Map)}). */
    public static Map<String, String> canonicalClientProperties(Map<String, String> properties) {
        Map<String, String> canonical = new HashMap<>();
        properties.forEach((key, value) -> canonical.put(
                KNOWN_CLIENT_PROPERTIES.getOrDefault(key.toLowerCase(Locale.ROOT), key), value));
        return canonical;
    }

    /**
     * The children of {@code path}, or none if it does not exist: a parent nobody has created yet (no master has run,
     * nothing was submitted) holds nothing.
     */
    public static List<String> childrenOrEmpty(CuratorFramework client, String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (org.apache.zookeeper.KeeperException.NoNodeException none) {
            return List.of();
        }
    }

    /**
     * Creates {@code /tasks}, {@code /workers}, {@code /assign}, {@code /running}, {@code /status} and the election
     * path if they are missing. Persistent, not containers: an empty queue must not make {@code /tasks} disappear
     * under a zkCli user. Create-and-ignore-NodeExists, never check-then-create. They get the client's ACL.
     */
    public static void ensureRoots(CuratorFramework client) throws Exception {
        for (String root : ZNodes.ROOTS) {
            try {
                client.create().forPath(root, new byte[0]);
            } catch (KeeperException.NodeExistsException alreadyThere) {
                // someone (another service, a zkCli user) was first: exactly what we wanted
            }
        }
    }

    /**
     * Secured mode's guard on the parents, for a cluster that ran open before or whose parents someone else created:
     * every protocol root ({@link ZNodes#ROOTS}) that grants {@code world:anyone} anything gets {@code acl}, and the
     * ZooKeeper root {@code /} keeps at most READ for {@code world:anyone} (listing the root-level names) while
     * {@code acl}'s identities get all rights: otherwise an anonymous client could delete {@code /master} or an empty
     * {@code /tasks} (deleting needs DELETE on the parent) and create it again open to all. Children already there
     * keep their ACL. Does nothing in open mode, where {@code acl} is itself open.
     *
     * @param lockZooKeeperRoot whether to restrict {@code /} as well: yes unless the ensemble is shared with other
     *                          applications that create root-level znodes and its operator guards {@code /}
     * @return the paths whose ACL was changed
     */
    public static List<String> secureRoots(CuratorFramework client, List<ACL> acl, boolean lockZooKeeperRoot)
            throws Exception {
        List<String> changed = new ArrayList<>();
        if (grantsWorld(acl, ZooDefs.Perms.ALL)) {
            return changed;
        }
        if (lockZooKeeperRoot) {
            List<ACL> rootAcl = new ArrayList<>();
            rootAcl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
            rootAcl.addAll(acl);
            if (replaceAclIf(client, "/", rootAcl, ~ZooDefs.Perms.READ)) {
                changed.add("/");
            }
        }
        for (String root : ZNodes.ROOTS) {
            if (replaceAclIf(client, root, acl, ZooDefs.Perms.ALL)) {
                changed.add(root);
            }
        }
        return changed;
    }

    /** Sets {@code acl} on {@code path} if its current ACL grants {@code world:anyone} any of {@code perms}. */
    private static boolean replaceAclIf(CuratorFramework client, String path, List<ACL> acl, int perms)
            throws Exception {
        Stat stat = new Stat();
        List<ACL> current;
        try {
            current = client.getACL().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException gone) {
            return false;
        }
        if (!grantsWorld(current, perms)) {
            return false;
        }
        try {
            client.setACL().withVersion(stat.getAversion()).withACL(acl).forPath(path);
            return true;
        } catch (KeeperException.BadVersionException raced) {
            return false; // another service changed it at the same moment: it did what we would have done
        }
    }

    private static boolean grantsWorld(List<ACL> acl, int perms) {
        return acl.stream().anyMatch(entry -> ZooDefs.Ids.ANYONE_ID_UNSAFE.equals(entry.getId())
                && (entry.getPerms() & perms) != 0);
    }

    /** Lower-cased key to its spelling, for ZooKeeper's client and TLS settings. */
    private static Map<String, String> knownClientProperties() {
        Map<String, String> known = new HashMap<>();
        for (Field field : ZKClientConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().endsWith("_DEFAULT")) {
                try {
                    String name = (String) field.get(null);
                    if (name != null && name.contains(".")) {
                        known.put(name.toLowerCase(Locale.ROOT), name);
                    }
                } catch (IllegalAccessException ignored) {
                    // not a constant we can read
                }
            }
        }
        try (ClientX509Util x509 = new ClientX509Util()) {
            for (Method getter : x509.getClass().getMethods()) {
                if (getter.getParameterCount() == 0 && getter.getReturnType() == String.class
                        && getter.getName().startsWith("get") && getter.getName().endsWith("Property")) {
                    String name = (String) getter.invoke(x509);
                    known.put(name.toLowerCase(Locale.ROOT), name);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reading ZooKeeper's TLS property names", e);
        }
        return Map.copyOf(known);
    }
}
