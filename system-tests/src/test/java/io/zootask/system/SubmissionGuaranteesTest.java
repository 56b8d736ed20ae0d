package io.zootask.system;

import static io.zootask.system.Gateway.taskIds;
import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once submission: with an Idempotency-Key a retried POST returns the same task; without one, the gateway's
 * own recovery from a lost reply never creates a second task; a full queue answers 429 and breaks nothing.
 */
@Timeout(120)
class SubmissionGuaranteesTest {

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private TcpProxy proxy;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        proxy = new TcpProxy(cluster.connectString());
        zk = cluster.plainClient();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyReturnsTheSameTask() throws Exception {
        Gateway gateway = cluster.gateway();
        String key = UUID.randomUUID().toString();
        Gateway.Reply first = gateway.postJson("{\"command\":[\"echo\",\"once\"]}", key);
        Gateway.Reply again = gateway.postJson("{\"command\":[\"echo\",\"once\"]}", key);
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        String id = first.json().get("id").asString();
        assertThat(again.json().get("id").asString()).isEqualTo(id);
        assertThat(again.location()).isEqualTo("/tasks/" + id);
        assertThat(zk.getChildren("/tasks", false)).containsExactly(id);
        assertThat(zk.getChildren("/idempotency", false)).hasSize(1);

        Gateway.Reply different = gateway.postJson("{\"command\":[\"echo\",\"something else\"]}", key);
        assertThat(different.status()).isEqualTo(422);
        assertThat(different.json().get("detail").asString()).contains("different request");
        assertThat(zk.getChildren("/tasks", false)).containsExactly(id);

        // another key is another task
        assertThat(gateway.postJson("{\"command\":[\"echo\",\"once\"]}", UUID.randomUUID().toString()).json()
                .get("id").asString()).isNotEqualTo(id);
    }

    @Test
    void concurrentRetriesWithOneKeyCreateOneTask() throws Exception {
        Gateway gateway = cluster.gateway();
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                ids.add(pool.submit(() -> {
                    while (true) {
                        Gateway.Reply reply = gateway.postJson("{\"command\":[\"true\"]}", key);
                        if (reply.status() == 202) {
                            return reply.json().get("id").asString();
                        }
                        assertThat(reply.status()).as(reply.body()).isEqualTo(409); // in progress: retry
                    }
                }));
            }
            Set<String> distinct = new HashSet<>();
            for (Future<String> id : ids) {
                distinct.add(id.get());
            }
            assertThat(distinct).hasSize(1);
            assertThat(zk.getChildren("/tasks", false)).containsExactlyElementsOf(distinct);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLostReplyDoesNotCreateASecondTask() throws Exception {
        Gateway gateway = cluster.gateway("zootask.zookeeper.connect-string=" + proxy.address());
        await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200
                && zk.exists("/tasks", false) != null);
        proxy.dropResponses();
        CompletableFuture<Gateway.Reply> reply = CompletableFuture.supplyAsync(
                () -> gateway.postJson("{\"command\":[\"echo\",\"reply lost\"]}"));
        await().atMost(seconds(10)).until(() -> !zk.getChildren("/tasks", false).isEmpty());
        proxy.heal();
        Gateway.Reply accepted = reply.get();
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        // the gateway found the task its lost create made, instead of making another
        assertThat(zk.getChildren("/tasks", false)).containsExactly(accepted.json().get("id").asString());
    }

    @Test
    void aLostReplyWhileTheTaskMovesOnStillReturnsTheOneTask() throws Exception {
        cluster.master("m");
        // a longer session than the others': the gateway's link is held below while a worker starts and runs the task
        Gateway gateway = cluster.gateway("zootask.zookeeper.connect-string=" + proxy.address(),
                "zootask.zookeeper.session-timeout=20s");
        await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200
                && zk.exists("/tasks", false) != null);
        String body = "{\"command\":[\"echo\",\"moved on while its reply was lost\"]}";
        proxy.dropResponsesAfter(ZooDefs.OpCode.create, ZooDefs.OpCode.create2);
        CompletableFuture<Gateway.Reply> reply = CompletableFuture.supplyAsync(() -> gateway.postJson(body));
        await().atMost(seconds(10)).until(() -> !zk.getChildren("/tasks", false).isEmpty());
        String created = zk.getChildren("/tasks", false).get(0);

        // The gateway, reconnected, has listed where tasks are and reads one: exactly then, a worker joins and the
        // task moves on from where it was listed (/tasks -> /assign/w-1 -> /status) before that read is answered.
        AtomicBoolean movedDuringTheLookup = new AtomicBoolean();
        proxy.beforeNext(ZooDefs.OpCode.getData, () -> {
            cluster.worker("w", 1);
            await().atMost(seconds(10)).until(() -> zk.exists("/status/" + created, false) != null);
            movedDuringTheLookup.set(true);
        });
        proxy.sever();

        Gateway.Reply accepted = reply.get();
        assertThat(movedDuringTheLookup).isTrue();
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.json().get("id").asString()).isEqualTo(created);
        assertThat(accepted.location()).isEqualTo("/tasks/" + created);
        assertThat(tasksCarrying("moved on while its reply was lost")).containsExactly("/status/" + created);
        assertThat(gateway.awaitFinished(created, seconds(10)).get("state").asString()).isEqualTo("done");
    }

    /** Every task znode (queued, assigned or finished) whose data holds {@code text}. */
    private List<String> tasksCarrying(String text) throws Exception {
        List<String> parents = new ArrayList<>(List.of("/tasks", "/status"));
        for (String worker : zk.getChildren("/assign", false)) {
            parents.add("/assign/" + worker);
        }
        List<String> found = new ArrayList<>();
        for (String parent : parents) {
            for (String child : zk.getChildren(parent, false)) {
                byte[] data = zk.getData(parent + "/" + child, false, null);
                if (new String(data, java.nio.charset.StandardCharsets.UTF_8).contains(text)) {
                    found.add(parent + "/" + child);
                }
            }
        }
        return found;
    }

    @Test
    void aLostReplyWithAnIdempotencyKeyStillReturnsTheOneTask() throws Exception {
        Gateway gateway = cluster.gateway("zootask.zookeeper.connect-string=" + proxy.address());
        await().atMost(seconds(20)).until(() -> gateway.get("/actuator/health").status() == 200
                && zk.exists("/idempotency", false) != null);
        String key = UUID.randomUUID().toString();
        proxy.dropResponses();
        CompletableFuture<Gateway.Reply> reply = CompletableFuture.supplyAsync(
                () -> gateway.postJson("{\"command\":[\"echo\",\"reply lost\"]}", key));
        await().atMost(seconds(10)).until(() -> !zk.getChildren("/tasks", false).isEmpty());
        proxy.heal();
        Gateway.Reply accepted = reply.get();
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asString();
        assertThat(zk.getChildren("/tasks", false)).containsExactly(id);
        assertThat(gateway.postJson("{\"command\":[\"echo\",\"reply lost\"]}", key).json().get("id").asString())
                .isEqualTo(id);
    }

    @Test
    void aFullQueueAnswers429AndNothingBreaks() throws Exception {
        Gateway gateway = cluster.gateway("zootask.gateway.max-queued=3");
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(gateway.submit("{\"command\":[\"echo\",\"" + i + "\"]}"));
        }
        // the gateway learns the queue depth within 200 ms
        await().atMost(seconds(5)).until(() -> gateway.postJson("{\"command\":[\"echo\",\"too many\"]}")
                .status() == 429);
        Gateway.Reply refused = gateway.postJson("{\"command\":[\"echo\",\"too many\"]}");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).isEqualTo("3");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).contains("limit is 3");
        assertThat(zk.getChildren("/tasks", false)).hasSizeBetween(3, 4); // at most one admitted while it learned
        assertThat(gateway.get("/tasks").status()).isEqualTo(200);

        cluster.master("m");
        cluster.worker("w", 2);
        for (String id : accepted) {
            assertThat(gateway.awaitFinished(id, seconds(30)).get("state").asString()).isEqualTo("done");
        }
        await().atMost(seconds(5)).until(() -> gateway.postJson("{\"command\":[\"true\"]}").status() == 202);
    }

    @Test
    void theMasterPrunesFinishedStatusesAndExpiredKeys() throws Exception {
        cluster.master("m", "zootask.master.retention.status-max-count=2",
                "zootask.master.retention.idempotency-max-age=1s", "zootask.master.retention.interval=500ms");
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(gateway.postJson("{\"command\":[\"true\"]}", UUID.randomUUID().toString()).json().get("id")
                    .asString());
        }
        // all five finish (nothing queued or assigned), and only the two newest statuses are kept
        await().atMost(seconds(30)).until(() -> zk.getChildren("/tasks", false).isEmpty()
                && zk.getChildren("/assign/w-1", false).isEmpty()
                && zk.getChildren("/status", false).size() == 2
                && zk.getChildren("/idempotency", false).isEmpty());
        long known = ids.stream().filter(id -> gateway.get("/tasks/" + id).status() == 200).count();
        assertThat(known).isEqualTo(2);
    }

    @Test
    void aTaskThatVanishesDuringALongPollIsNotFoundWhenTheWaitEnds() throws Exception {
        Gateway gateway = cluster.gateway();
        String id = gateway.submit("{\"command\":[\"echo\",\"never runs\"]}"); // no master: it stays queued
        CompletableFuture<Gateway.Reply> waited = CompletableFuture.supplyAsync(
                () -> gateway.get("/tasks/" + id + "?waitSeconds=3"));
        io.micrometer.core.instrument.MeterRegistry meters = gateway.app()
                .getBean(io.micrometer.core.instrument.MeterRegistry.class);
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value() == 1);
        zk.delete("/tasks/" + id, -1); // by hand, while the client waits

        Gateway.assertProblem(waited.get(), 404, "no task with id '" + id + "'");
    }

    @Test
    void aLongPollAnsweredWhileWaitingIsTheSameDocumentAsAPlainGet() throws Exception {
        Gateway gateway = cluster.gateway();
        String id = gateway.submit("{\"command\":[\"echo\",\"waited for\"],\"timeoutSeconds\":30}");
        CompletableFuture<Gateway.Reply> waited = CompletableFuture.supplyAsync(
                () -> gateway.get("/tasks/" + id + "?waitSeconds=30"));
        io.micrometer.core.instrument.MeterRegistry meters = gateway.app()
                .getBean(io.micrometer.core.instrument.MeterRegistry.class);
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value() == 1);
        cluster.master("m1"); // it was queued while the poll started: the answer comes from the wait
        cluster.worker("w", 1);

        Gateway.Reply answer = waited.get();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("state").asString()).isEqualTo("done");
        assertThat(answer.json().get("output").asString()).isEqualTo("waited for\n");
        Gateway.Reply plain = gateway.get("/tasks/" + id);
        assertThat(answer.body()).isEqualTo(plain.body());
        assertThat(answer.contentType()).isEqualTo(plain.contentType());
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value() == 0);
    }

    @Test
    void aLongPollWhoseClientLeftStillEnds() throws Exception {
        Gateway gateway = cluster.gateway();
        String id = gateway.submit("{\"command\":[\"echo\",\"nobody waits\"]}"); // no master: it stays queued
        int port = Integer.parseInt(ZootaskCluster.port(gateway.app()));
        io.micrometer.core.instrument.MeterRegistry meters = gateway.app()
                .getBean(io.micrometer.core.instrument.MeterRegistry.class);
        try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
            client.getOutputStream().write(("GET /tasks/" + id + "?waitSeconds=2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value()
                    == 1);
        } // gone before the answer

        // the wait ends all the same: nothing stays parked for a client that is not there
        await().atMost(seconds(10)).until(() -> meters.get("zootask.gateway.longpolls.waiting").gauge().value() == 0);
        assertThat(gateway.get("/tasks/" + id + "?waitSeconds=1").json().get("state").asString()).isEqualTo("queued");
    }

    @Test
    void tasksAreListedWhileStatusesOutnumberOneDefaultGetChildrenAnswer() throws Exception {
        // 60 000 names, more than ZooKeeper's default 1 MB answer carries: between two sweeps, or left by a burst
        int statuses = 60_000;
        zk.create("/status", new byte[0], org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                org.apache.zookeeper.CreateMode.PERSISTENT);
        java.util.concurrent.CountDownLatch created = new java.util.concurrent.CountDownLatch(statuses);
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.time.Instant then = java.time.Instant.parse("2026-01-01T00:00:00Z");
        byte[] done = io.zootask.protocol.ProtocolCodec.encode(new io.zootask.protocol.TaskStatus(
                io.zootask.protocol.TaskState.DONE, List.of("true"), 0, "", null, "w-1", 1, then, then, then, null,
                null, null));
        for (int i = 0; i < statuses; i++) {
            zk.create(String.format("/status/task-%010d", i), done, org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    org.apache.zookeeper.CreateMode.PERSISTENT, (rc, path, ctx, name) -> {
                        if (rc != 0) {
                            failed.incrementAndGet();
                        }
                        created.countDown();
                    }, null);
        }
        assertThat(created.await(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(failed).hasValue(0);

        Gateway gateway = cluster.gatewayAsShipped();
        Gateway.Reply page = gateway.get("/tasks?limit=3");
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(taskIds(page)).containsExactly("task-0000059999", "task-0000059998", "task-0000059997");

        // and the master cuts the list back to what one answer carries, newest kept
        cluster.master("m", "zootask.master.retention.interval=500ms");
        await().atMost(seconds(60)).until(() -> zk.exists("/status", false).getNumChildren() <= 40_000);
        assertThat(zk.exists("/status/task-0000059999", false)).isNotNull();
    }
}
