package io.zootask.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client would send: any method, any bytes in the
 * request target and in header names and values, a missing Host, a body chunked by hand. One request per connection
 * ({@code Connection: close}); the answer is read until the server closes.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** What the server answered; {@code headers} by lower-case name. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sends {@code request} (already framed: request line, headers, blank line, body) and reads the answer. The
     * request is written by another thread while this one reads, so that a server that answers before reading the
     * whole body (413) and closes is still heard.
     */
    static Response exchange(int port, byte[] request, Duration timeout) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(request);
                    out.flush();
                } catch (IOException refused) {
                    // the server answered and closed before taking the whole body: the answer is what counts
                }
            }, "raw-http-writer");
            writer.setDaemon(true);
            writer.start();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                    if (complete(received.toByteArray())) {
                        break;
                    }
                }
            } catch (SocketException reset) {
                // a reset after the answer (unread body left behind): keep what arrived, parse() decides
                if (received.size() == 0) {
                    throw reset;
                }
            }
            try {
                writer.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                return parse(received.toByteArray());
            } catch (IOException incomplete) {
                // how and when the server ended the exchange tells an idle timeout from an abort
                throw new IOException(incomplete.getMessage() + " (the server closed the connection after "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms; the request was "
                        + (writer.isAlive() ? "still being written" : "written") + ")", incomplete);
            }
        }
    }

    /** The request's bytes: header names and values, method and target as UTF-8, exactly as given. */
    static byte[] frame(String method, String target, String version, List<Map.Entry<String, String>> headers,
                        byte[] body, boolean chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
        for (Map.Entry<String, String> header : headers) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (body != null) {
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null && chunked) {
            // uneven chunks, as a streaming client would send them
            int chunk = Math.max(1, body.length / 7 + 1);
            for (int offset = 0; offset < body.length; offset += chunk) {
                int length = Math.min(chunk, body.length - offset);
                out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, offset, length);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } else if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static boolean complete(byte[] data) throws IOException {
        int start = finalStart(data);
        if (start < 0) {
            return false;
        }
        int end = headerEnd(data, start);
        if (end < 0) {
            return false;
        }
        Map<String, List<String>> headers = headers(data, start, end);
        List<String> length = headers.get("content-length");
        if (length != null) {
            return data.length - end >= Long.parseLong(length.get(0).strip());
        }
        List<String> encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            String tail = new String(data, Math.max(end, data.length - 7), data.length - Math.max(end,
                    data.length - 7), StandardCharsets.ISO_8859_1);
            return tail.endsWith("0\r\n\r\n");
        }
        return false; // until the server closes
    }

    private static Response parse(byte[] data) throws IOException {
        int start = finalStart(data);
        int end = start < 0 ? -1 : headerEnd(data, start);
        if (end < 0) {
            throw new IOException("no complete HTTP answer, got " + data.length + " bytes: "
                    + new String(data, 0, Math.min(data.length, 200), StandardCharsets.ISO_8859_1));
        }
        int status = status(data, start);
        Map<String, List<String>> headers = headers(data, start, end);
        byte[] raw = java.util.Arrays.copyOfRange(data, end, data.length);
        List<String> encoding = headers.get("transfer-encoding");
        byte[] body = encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")
                ? dechunk(raw) : raw;
        List<String> length = headers.get("content-length");
        if (length != null && body.length > Integer.parseInt(length.get(0).strip())) {
            body = java.util.Arrays.copyOf(body, Integer.parseInt(length.get(0).strip()));
        }
        return new Response(status, headers, body);
    }

    /** Where the final answer starts, after any interim {@code 1xx} ones ({@code 100 Continue}); -1: not yet. */
    private static int finalStart(byte[] data) throws IOException {
        int start = 0;
        while (true) {
            int end = headerEnd(data, start);
            if (end < 0) {
                return -1;
            }
            int status = status(data, start);
            if (status >= 200) {
                return start;
            }
            start = end;
        }
    }

    private static int status(byte[] data, int start) throws IOException {
        String statusLine = new String(data, start, indexOf(data, "\r\n".getBytes(StandardCharsets.US_ASCII), start)
                - start, StandardCharsets.ISO_8859_1);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, List<String>> headers(byte[] data, int start, int end) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String head = new String(data, start, end - start, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
            }
        }
        return headers;
    }

    private static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < raw.length) {
            int lineEnd = indexOf(raw, "\r\n".getBytes(StandardCharsets.US_ASCII), at);
            if (lineEnd < 0) {
                break;
            }
            String size = new String(raw, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).strip(), 16);
            if (length == 0) {
                break;
            }
            int start = lineEnd + 2;
            out.write(raw, start, Math.min(length, raw.length - start));
            at = start + length + 2;
        }
        return out.toByteArray();
    }

    private static int headerEnd(byte[] data, int from) {
        int at = indexOf(data, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), from);
        return at < 0 ? -1 : at + 4;
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
