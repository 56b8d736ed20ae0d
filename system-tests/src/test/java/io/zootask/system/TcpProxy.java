package io.zootask.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay between one client and ZooKeeper that can be cut silently, like a network partition: while
 * {@link #partition()} holds, bytes are swallowed in both directions and no connection is refused or reset, so the
 * client only notices through its own timeouts, and the server expires its session.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean partitioned;
    private volatile boolean responsesDropped;
    /** One-shot: what to do before forwarding the next request of an operation code (ZooDefs.OpCode). */
    private final java.util.Map<Integer, Runnable> beforeRequest = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean requestsDropped;

    TcpProxy(String target) throws IOException {
        int colon = target.lastIndexOf(':');
        this.targetHost = target.substring(0, colon);
        this.targetPort = Integer.parseInt(target.substring(colon + 1));
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    void partition() {
        partitioned = true;
    }

    void heal() {
        partitioned = false;
        responsesDropped = false;
        requestsDropped = false;
    }

    /**
     * The client's bytes are lost, the server's still arrive: the server hears nothing (and expires the session),
     * while the client, receiving its watch notifications, may not notice anything wrong.
     */
    void dropRequests() {
        requestsDropped = true;
    }

    /** Requests still reach the server; its answers are lost (the client's request lands, the reply does not). */
    void dropResponses() {
        responsesDropped = true;
    }

    /**
     * Once: the next request with one of these ZooKeeper operation codes still reaches the server, but from then on
     * the server's answers are lost, until {@link #heal()} or {@link #sever()}.
     */
    void dropResponsesAfter(int... opCodes) {
        for (int opCode : opCodes) {
            beforeRequest.put(opCode, () -> {
                for (int other : opCodes) {
                    beforeRequest.remove(other);
                }
                responsesDropped = true;
            });
        }
    }

    /** Once: {@code action} runs, holding everything the client sends, before its next request of this op code. */
    void beforeNext(int opCode, Runnable action) {
        beforeRequest.put(opCode, action);
    }

    /** Closes every connection at once, as a crashed link would: the client notices now, and reconnects here. */
    void sever() {
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
        heal();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                requests(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The server's side: bytes as they come, unless partitioned or its answers are being dropped. */
    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!partitioned && !responsesDropped) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The client's side, read as ZooKeeper frames (a 4-byte length, then the packet; after the connect request each
     * packet starts with its xid and operation code), so that a request can be acted on before it is forwarded.
     */
    private void requests(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (java.io.DataInputStream in = new java.io.DataInputStream(from.getInputStream());
                 OutputStream out = to.getOutputStream()) {
                boolean connectRequest = true;
                while (true) {
                    int length = in.readInt();
                    byte[] packet = new byte[length];
                    in.readFully(packet);
                    if (!connectRequest && length >= 8) {
                        Runnable action = beforeRequest.remove(java.nio.ByteBuffer.wrap(packet, 4, 4).getInt());
                        if (action != null) {
                            action.run();
                        }
                    }
                    connectRequest = false;
                    if (!partitioned && !requestsDropped) {
                        out.write(java.nio.ByteBuffer.allocate(4).putInt(length).array());
                        out.write(packet);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-requests");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(TcpProxy::closeQuietly);
    }
}
