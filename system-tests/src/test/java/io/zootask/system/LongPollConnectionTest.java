package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * A long-poll ({@code GET /tasks/{id}?waitSeconds=N}) and the connection it waits on: a client that leaves takes
 * its wait with it at once (gateway state, timer, its place among the polls the gateway's watch on {@code /status}
 * serves; it sets no watch of its own on the ZooKeeper server), and one that stays keeps a
 * connection that serves its next requests as any keep-alive connection does. Spoken over a plain socket, to control
 * exactly when the client closes and what it sends.
 */
@Timeout(120)
class LongPollConnectionTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private Gateway gateway;
    private MeterRegistry meters;
    private int port;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gateway();
        meters = gateway.app().getBean(MeterRegistry.class);
        port = Integer.parseInt(ZootaskCluster.port(gateway.app()));
    }

    @Test
    void aLongPollWhoseClientLeavesEarlyReleasesItsWaitAtOnce() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"nobody waits\"]}"); // no master: it stays queued
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(get("/tasks/" + id + "?waitSeconds=60"));
            awaitWaiting(1);
            awaitWaitingTasks(1);
            assertThat(cluster.watchedPaths()).as("one watch on /status serves every poll").doesNotContain(
                    "/status/" + id);
        } // gone, 60 s before the wait would end

        // released long before: no gateway state stays behind for a client not there
        awaitWaiting(0);
        awaitWaitingTasks(0);
        assertThat(gateway.get("/tasks/" + id).json().get("state").asString()).isEqualTo("queued");
    }

    @Test
    void aWaitingPostWhoseClientLeavesEarlyReleasesItsWaitAtOnce() throws Exception {
        byte[] body = "{\"command\":[\"echo\",\"nobody waits\"]}".getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", port)) { // no master: the task stays queued
            client.getOutputStream().write(("POST /tasks?waitSeconds=60 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().write(body);
            awaitWaiting(1);
        } // gone, 60 s before the wait would end
        awaitWaiting(0);
        awaitWaitingTasks(0);
    }

    @Test
    void anotherPollOfTheSameTaskStillHearsOfItWhenOneLeaves() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"two wait\"]}");
        CompletableFuture<Gateway.Reply> staying;
        try (Socket leaving = new Socket("127.0.0.1", port)) {
            leaving.getOutputStream().write(get("/tasks/" + id + "?waitSeconds=60"));
            staying = CompletableFuture.supplyAsync(() -> gateway.get("/tasks/" + id + "?waitSeconds=60"));
            awaitWaiting(2);
        }
        awaitWaiting(1);
        awaitWaitingTasks(1); // still waited for by the one that stays

        cluster.master("m1");
        cluster.worker("w", 1);
        // told by the watch, not found at the end of its 60 s
        Gateway.Reply answer = staying.get(40, TimeUnit.SECONDS);
        assertThat(answer.json().get("state").asString()).isEqualTo("done");
        awaitWaiting(0);
    }

    @Test
    void aClientThatOnlyStopsSendingGetsItsAnswerAtOnce() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"half closed\"]}");
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write(get("/tasks/" + id + "?waitSeconds=60"));
            awaitWaiting(1);
            client.shutdownOutput(); // it can send no more, but still reads

            long start = System.nanoTime();
            Answer answer = Answer.read(client.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.json().get("id").asString()).isEqualTo(id);
            assertThat(answer.json().get("state").asString()).isEqualTo("queued");
            assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(30); // not when the 60 s are over
        }
        awaitWaiting(0);
        awaitWaitingTasks(0);
    }

    @Test
    void longPollsOneAfterAnotherOnOneConnectionAreAllAnswered() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"kept alive\"]}");
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(get("/tasks/" + id + "?waitSeconds=1"));
                Answer answer = Answer.read(in);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.json().get("state").asString()).isEqualTo("queued");
                assertThat(answer.header("connection")).isNotEqualToIgnoringCase("close");
            }
        }
        awaitWaiting(0);
    }

    @Test
    void aRequestPipelinedBehindALongPollIsAnsweredAfterIt() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"pipelined\"]}");
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(30_000);
            OutputStream out = client.getOutputStream();
            out.write(get("/tasks/" + id + "?waitSeconds=2"));
            awaitWaiting(1);
            // sent while the first waits: the gateway must not swallow any of it
            out.write(get("/tasks/" + id));
            out.write(get("/tasks/nope-0000000001"));

            InputStream in = client.getInputStream();
            Answer waited = Answer.read(in);
            assertThat(waited.status()).isEqualTo(200);
            assertThat(waited.json().get("state").asString()).isEqualTo("queued");
            Answer plain = Answer.read(in);
            assertThat(plain.status()).isEqualTo(200);
            assertThat(plain.json().get("id").asString()).isEqualTo(id);
            assertThat(Answer.read(in).status()).isEqualTo(404);
        }
        awaitWaiting(0);
    }

    @Test
    void pollsWhoseTasksEndInOneTransactionAreEachAnsweredWithTheirOwnTask() throws Exception {
        // a worker commits the statuses of the tasks it finished together in one transaction: one burst of ends
        int tasks = 40;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            ids.add(gateway.submit("{\"command\":[\"echo\",\"burst " + i + "\"]}")); // no master: queued
        }
        ExecutorService clients = Executors.newFixedThreadPool(tasks);
        try {
            List<CompletableFuture<Gateway.Reply>> polls = new ArrayList<>();
            for (String id : ids) {
                polls.add(CompletableFuture.supplyAsync(() -> gateway.get("/tasks/" + id + "?waitSeconds=60"),
                        clients));
            }
            awaitWaiting(tasks);

            ZooKeeper worker = cluster.plainClient();
            List<Op> ends = new ArrayList<>();
            for (String id : ids) {
                TaskSpec spec = ProtocolCodec.decodeTask(worker.getData("/tasks/" + id, false, null));
                Instant now = Instant.now();
                TaskStatus done = new TaskStatus(TaskState.DONE, spec.command(), 0, "output of " + id + "\n", false,
                        "w-burst", 1, spec.submittedAt(), now, now, null, spec.submission(), spec.submittedBy());
                ends.add(Op.create("/status/" + id, ProtocolCodec.encode(done), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT));
                ends.add(Op.delete("/tasks/" + id, -1));
            }
            worker.multi(ends);

            for (int i = 0; i < tasks; i++) {
                Gateway.Reply answer = polls.get(i).get(20, TimeUnit.SECONDS); // long before the 60 s wait
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.json().get("id").asString()).isEqualTo(ids.get(i));
                assertThat(answer.json().get("state").asString()).isEqualTo("done");
                assertThat(answer.json().get("output").asString()).isEqualTo("output of " + ids.get(i) + "\n");
            }
            awaitWaiting(0);
            awaitWaitingTasks(0);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aLongPollThatTimesOutLeavesNothingBehind() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"waited out\"]}");
        Gateway.Reply reply = gateway.get("/tasks/" + id + "?waitSeconds=1");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("state").asString()).isEqualTo("queued");

        awaitWaiting(0);
        awaitWaitingTasks(0);
    }

    private void awaitWaiting(int polls) {
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value()
                == polls);
    }

    private void awaitWaitingTasks(int tasks) {
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.tasks").gauge().value()
                == tasks);
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
