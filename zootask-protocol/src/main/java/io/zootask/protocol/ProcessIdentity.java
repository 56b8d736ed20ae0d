package io.zootask.protocol;

import java.net.InetAddress;

/** Who this process is, for the ids masters and workers publish: host name, pid, and a default name from both. */
public final class ProcessIdentity {

    private ProcessIdentity() {
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    public static long pid() {
        return ProcessHandle.current().pid();
    }

    /** The configured name, or {@code host-pid} made a valid znode name. */
    public static String nameOr(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return host().replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + pid();
    }
}
