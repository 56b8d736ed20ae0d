package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * A long-poll ({@code GET /tasks/{id}?waitSeconds=N}) and the connection it waits on: a client that leaves takes
 * its wait with it at once (gateway state, timer, the watch on the ZooKeeper server), and one that stays keeps a
 * connection that serves its next requests as any keep-alive connection does. Spoken over a plain socket, to control
 * exactly when the client closes and what it sends.
 */
@Timeout(120)
class LongPollConnectionTest {

    private ZootaskCluster cluster;
    private Gateway gateway;
    private MeterRegistry meters;
    private int port;

    @BeforeEach
    void start() throws Exception {
        cluster = new ZootaskCluster();
        gateway = cluster.gateway();
        meters = gateway.app().getBean(MeterRegistry.class);
        port = Integer.parseInt(ZootaskCluster.port(gateway.app()));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void aLongPollThatTimesOutLeavesNothingBehind() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"waited out\"]}");
        Gateway.Reply reply = gateway.get("/tasks/" + id + "?waitSeconds=1");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("state").asString()).isEqualTo("queued");

        awaitWaiting(0);
        await().atMost(seconds(10)).until(() -> !cluster.watchedPaths().contains("/status/" + id));
    }

    private void awaitWaiting(int polls) {
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value()
                == polls);
    }

    private static byte[] get(String target) {
        return ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** One answer on a keep-alive connection, framed by its Content-Length, no byte of the next one read. */
    private record Answer(int status, String head, byte[] body) {

        static Answer read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before a whole answer, got: " + head);
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            Answer headOnly = new Answer(Integer.parseInt(text.split(" ", 3)[1]), text, new byte[0]);
            String length = headOnly.header("content-length");
            if (length != null) {
                return new Answer(headOnly.status(), text, in.readNBytes(Integer.parseInt(length)));
            }
            assertThat(headOnly.header("transfer-encoding")).as("a keep-alive answer is framed: %s", text)
                    .isEqualToIgnoringCase("chunked");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in); // the empty trailer
            return new Answer(headOnly.status(), text, body.toByteArray());
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (!line.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed inside a chunked answer");
                }
                line.write(b);
            }
            return line.toString(StandardCharsets.ISO_8859_1).strip();
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        JsonNode json() {
            return Gateway.JSON.readTree(body);
        }
    }
}
