package io.zootask.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;

/**
 * A dashboard's {@code GET /events} read as the cheapest client would: a socket, a thread, chunked transfer decoded by
 * hand, and only the {@code done} events looked at (by substring, then their {@code at} by substring too). Ten of
 * them at half load take ~10 000 events a second: {@code java.net.http.HttpClient}'s one selector thread and its line
 * subscribers, on the cores the gateway needs, queued them for tens to hundreds of milliseconds, which the phase then
 * measured as the gateway's delay.
 */
final class DashboardReader implements AutoCloseable {

    private static final String DONE = "\"state\":\"done\"";
    private static final String AT = "\"at\":\"";

    private final Socket socket;
    private final Thread thread;

    /** Follows {@code /events}; for each done event, the microseconds from its {@code at} until it was read. */
    DashboardReader(int port, Queue<Long> latencies) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        thread = new Thread(() -> read(in, latencies), "dashboard-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private static void read(InputStream in, Queue<Long> latencies) {
        try {
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                chunked |= header.toLowerCase().startsWith("transfer-encoding:") && header.contains("chunked");
            }
            StringBuilder event = new StringBuilder();
            while (true) {
                long size = chunked ? Long.parseLong(line(in).trim(), 16) : Long.MAX_VALUE;
                if (size == 0) {
                    return;
                }
                for (long i = 0; i < size; i++) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    if (b == '\n') {
                        seen(event, latencies);
                        event.setLength(0);
                    } else {
                        event.append((char) b); // the JSON the fields are looked for in is ASCII
                    }
                }
                line(in); // the CRLF after the chunk
            }
        } catch (IOException | RuntimeException closed) {
            // closed at the phase's end
        }
    }

    private static void seen(CharSequence line, Queue<Long> latencies) {
        String text = line.toString();
        if (!text.startsWith("data: ") || !text.contains(DONE)) {
            return;
        }
        int at = text.lastIndexOf(AT);
        if (at < 0) {
            return;
        }
        int start = at + AT.length();
        int end = text.indexOf('"', start);
        long micros = Duration.between(Instant.parse(text.substring(start, end)), Instant.now()).toNanos() / 1000;
        latencies.add(Math.max(0, micros));
    }

    private static String line(InputStream in) throws IOException {
        return KeepAliveConnection.readLine(in, new StringBuilder());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
