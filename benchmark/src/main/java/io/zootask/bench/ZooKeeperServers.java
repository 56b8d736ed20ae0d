package io.zootask.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The ZooKeeper the run measures against: one standalone server ({@code --ensemble 1}, the default) or an ensemble
 * of {@code count} servers, each a real server in a JVM of its own ({@code local-cluster --zookeeper-only}, the
 * launcher the chaos suite uses for its ensemble), each with its own transaction log on this machine's disk. Ports
 * below the ephemeral range (32768+), where a client socket could hold one, and apart from the chaos suite's.
 */
record ZooKeeperServers(int count, int basePort) {

    // from --zookeeper-port (22181): the standalone server's port; an ensemble's ports follow it
    private int standalonePort() {
        return basePort;
    }

    private int clientPortBase() {
        return basePort + 9;
    }

    private int peerPortBase() {
        return basePort + 109;
    }

    private int electionPortBase() {
        return basePort + 209;
    }

    ZooKeeperServers {
        if (count < 1) {
            throw new IllegalArgumentException("--ensemble needs 1 or more servers, got " + count);
        }
    }

    /** Server {@code i}'s process name (and log file): zookeeper, or zookeeper-1 .. zookeeper-N. */
    String name(int i) {
        return count == 1 ? "zookeeper" : "zookeeper-" + i;
    }

    /** {@code local-cluster}'s arguments for server {@code i} (1-based). */
    List<String> args(int i) {
        if (count == 1) {
            return List.of("--zookeeper-only", "--zookeeper-port", String.valueOf(standalonePort()));
        }
        String members = IntStream.rangeClosed(1, count)
                .mapToObj(s -> "127.0.0.1:" + (peerPortBase() + s) + ":" + (electionPortBase() + s) + ":" + clientPort(s))
                .collect(Collectors.joining(","));
        return List.of("--zookeeper-only", "--server-id", String.valueOf(i), "--ensemble", members);
    }

    /** The connect string of every server: each session picks one, as a production client does. */
    String connect() {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "127.0.0.1:" + clientPort(i))
                .collect(Collectors.joining(","));
    }

    /**
     * Every server serves: standalone, or leader or follower of a formed quorum (ZooKeeper's {@code srvr} command). A
     * session alone would not do: two servers are a quorum, and the third may still be syncing when one connects.
     */
    boolean allServing() {
        List<String> modes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String srvr = srvr(clientPort(i));
            if (!srvr.contains("Mode: ")) {
                return false;
            }
            modes.add(srvr.substring(srvr.indexOf("Mode: ") + 6).lines().findFirst().orElse(""));
        }
        return count == 1 ? modes.contains("standalone") : modes.contains("leader")
                && modes.stream().allMatch(mode -> mode.equals("leader") || mode.equals("follower"));
    }

    List<Integer> clientPorts() {
        return IntStream.rangeClosed(1, count).mapToObj(this::clientPort).toList();
    }

    private int clientPort(int i) {
        return count == 1 ? standalonePort() : clientPortBase() + i;
    }

    private static String srvr(int port) {
        try (Socket socket = new Socket()) {
            // a server still starting may accept the connection and never answer it: ask again rather than hang
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException notYet) {
            return "";
        }
    }
}
