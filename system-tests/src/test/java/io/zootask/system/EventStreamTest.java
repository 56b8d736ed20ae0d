package io.zootask.system;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.zookeeper.ZooKeeper;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /events} and {@code GET /tasks/{id}/events} as a browser's stream reader meets them, on a whole cluster:
 * every state change in order, the cluster's changes, resuming with Last-Event-ID, one task's stream, and keys.
 */
@Timeout(180)
class EventStreamTest {

    private static final Duration SOON = ofSeconds(20);

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
        cluster.master("m1");
        await().atMost(SOON).until(() -> "m1".equals(ZootaskCluster.activeMaster(zk)));
    }

    @Test
    void everyStateChangeOfATaskArrivesInOrderAfterTheCluster() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events")) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.contentType()).startsWith("text/event-stream");
            JsonNode clusterNow = events.next(e -> e.type().equals("cluster")
                    && e.data().get("workers").size() == 1, SOON).data();
            assertThat(clusterNow.get("masters").get(0).get("role").asString()).isEqualTo("leader");
            assertThat(clusterNow.get("workers").get(0).get("slots").asInt()).isEqualTo(2);

            Instant before = Instant.now().minusSeconds(1);
            String id = gateway.submit("{\"command\":[\"echo\",\"hello\"]}");
            List<String> states = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            EventStreamClient.Event event;
            do {
                event = events.nextOf(id, SOON);
                states.add(event.data().get("state").asString());
                ids.add(event.id());
                assertThat(Instant.parse(event.data().get("at").asString())).isAfter(before);
            } while (!states.get(states.size() - 1).equals("done"));

            assertThat(states).containsExactly("queued", "assigned", "running", "done");
            assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();
            assertThat(event.data().get("worker").asString()).startsWith("w-");
            assertThat(event.data().get("attempt").asInt()).isEqualTo(1);
            assertThat(event.data().get("exitCode").asInt()).isZero();
            assertThat(event.data().get("command").get(0).asString()).isEqualTo("echo");
        }
    }

    @Test
    void eachRetryAndACancelAreEvents() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events")) {
            String failing = gateway.submit("{\"command\":[\"false\"],\"retry\":{\"maxAttempts\":2,"
                    + "\"initialIntervalSeconds\":1}}");
            JsonNode retry = events.next(e -> e.type().equals("task") && failing.equals(e.data().get("id").asString())
                    && e.data().get("attempt").asInt() == 2, SOON).data();
            assertThat(retry.get("state").asString()).isEqualTo("queued");
            assertThat(retry.get("message").asString()).contains("attempt 1 failed");
            JsonNode end = events.next(e -> e.type().equals("task") && failing.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("failed"), SOON).data();
            assertThat(end.get("attempt").asInt()).isEqualTo(2);

            String sleeping = gateway.submit("{\"command\":[\"sleep\",\"60\"]}");
            events.next(e -> e.type().equals("task") && sleeping.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("running"), SOON);
            assertThat(gateway.delete("/tasks/" + sleeping).status()).isEqualTo(202);
            events.next(e -> e.type().equals("task") && sleeping.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("cancelled"), SOON);
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissedOrAReset() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        String id;
        String queuedId;
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events")) {
            id = gateway.submit("{\"command\":[\"sleep\",\"1\"]}");
            queuedId = events.nextOf(id, SOON).id();
        }
        gateway.awaitFinished(id, SOON); // while nobody listens

        try (EventStreamClient resumed = EventStreamClient.open(gateway, "/events", "Last-Event-ID", queuedId)) {
            List<String> missed = new ArrayList<>();
            String state;
            do {
                state = resumed.nextOf(id, SOON).data().get("state").asString();
                missed.add(state);
            } while (!state.equals("done"));
            assertThat(missed).containsExactly("assigned", "running", "done");
        }
        try (EventStreamClient stranger = EventStreamClient.open(gateway, "/events", "Last-Event-ID",
                "another-gateway-42")) {
            JsonNode reset = stranger.next(e -> e.type().equals("reset"), SOON).data();
            assertThat(reset.get("reason").asString()).contains("reload");
        }
    }

    @Test
    void anEndsOnlyStreamTellsEachTaskOnceWhenItEndsAndNothingElse() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        try (EventStreamClient ends = EventStreamClient.open(gateway, "/events?endsOnly=true")) {
            assertThat(ends.status()).isEqualTo(200);
            String echo = gateway.submit("{\"command\":[\"echo\",\"hello\"]}");
            JsonNode done = ends.nextOf(echo, SOON).data();
            String failing = gateway.submit("{\"command\":[\"false\"]}");
            JsonNode failed = ends.nextOf(failing, SOON).data();

            assertThat(done.get("state").asString()).isEqualTo("done");
            assertThat(done.get("exitCode").asInt()).isZero();
            assertThat(done.get("command").get(0).asString()).isEqualTo("echo");
            assertThat(failed.get("state").asString()).isEqualTo("failed");
            String last = gateway.submit("{\"command\":[\"echo\",\"last\"]}");
            ends.nextOf(last, SOON);
            assertThat(ends.seen()).allSatisfy(event -> {
                assertThat(event.type()).isEqualTo("task");
                assertThat(event.data().get("state").asString()).isIn("done", "failed");
            });
            assertThat(ends.seen()).extracting(event -> event.data().get("id").asString())
                    .containsExactly(echo, failing, last);
        }
        try (EventStreamClient wrong = EventStreamClient.open(gateway, "/events?endsOnly=maybe")) {
            assertThat(wrong.status()).isEqualTo(400);
        }
    }

    @Test
    void anEndsOnlyClientResumesAcrossChangesNobodyReadWhileAFullClientResets() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        String lastSeen;
        try (EventStreamClient ends = EventStreamClient.open(gateway, "/events?endsOnly=true")) {
            String first = gateway.submit("{\"command\":[\"echo\",\"1\"]}");
            lastSeen = ends.nextOf(first, SOON).id();
        }
        // nobody follows every event: this task's other changes go unread, its end is kept for the ends-only client
        String meanwhile = gateway.submit("{\"command\":[\"echo\",\"2\"]}");
        gateway.awaitFinished(meanwhile, SOON);

        try (EventStreamClient resumed = EventStreamClient.open(gateway, "/events?endsOnly=true",
                "Last-Event-ID", lastSeen)) {
            JsonNode end = resumed.nextOf(meanwhile, SOON).data();
            assertThat(end.get("state").asString()).isEqualTo("done");
            assertThat(resumed.seen()).noneMatch(event -> event.type().equals("reset"));
        }
        try (EventStreamClient everything = EventStreamClient.open(gateway, "/events", "Last-Event-ID", lastSeen)) {
            everything.next(event -> event.type().equals("reset"), SOON);
        }
    }

    @Test
    void anEndsOnlyClientResumingAfterAnEndNobodyReadIsToldToReload() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = gatewayThatForgetsAtOnce();
        String lastSeen;
        try (EventStreamClient ends = EventStreamClient.open(gateway, "/events?endsOnly=true")) {
            String first = gateway.submit("{\"command\":[\"echo\",\"1\"]}");
            lastSeen = ends.nextOf(first, SOON).id();
        }
        awaitNoSubscribers(gateway);
        String unseen = gateway.submit("{\"command\":[\"echo\",\"2\"]}");
        gateway.awaitFinished(unseen, SOON);
        try (EventStreamClient resumed = EventStreamClient.open(gateway, "/events?endsOnly=true",
                "Last-Event-ID", lastSeen)) {
            resumed.next(e -> e.type().equals("reset"), SOON);
        }
    }

    @Test
    void anEndsOnlyClientKeepsUpWhileOtherClientsGetAFloodOfOtherEvents() throws Exception {
        cluster.worker("w", 2);
        // a log of 64 events; 80 tasks queued for later are 80 events an ends-only client passes over
        Gateway gateway = cluster.gateway("zootask.gateway.events.replay=64");
        try (EventStreamClient everything = EventStreamClient.open(gateway, "/events");
             EventStreamClient ends = EventStreamClient.open(gateway, "/events?endsOnly=true")) {
            String first = gateway.submit("{\"command\":[\"echo\",\"1\"]}");
            ends.nextOf(first, SOON);
            // in bursts of 20, well inside the log, so that only a stream that is not woken can fall behind
            String later = String.join(",", java.util.Collections.nCopies(20,
                    "{\"command\":[\"echo\",\"later\"],\"delaySeconds\":600}"));
            java.util.concurrent.atomic.AtomicInteger delayed = new java.util.concurrent.atomic.AtomicInteger();
            for (int burst = 1; burst <= 4; burst++) {
                assertThat(gateway.post("/tasks", "application/json", "[" + later + "]").status()).isEqualTo(202);
                int told = 20 * burst;
                everything.next(e -> e.type().equals("task") && e.data().has("notBefore")
                        && delayed.incrementAndGet() == told, SOON);
            }
            String next = gateway.submit("{\"command\":[\"echo\",\"2\"]}");
            assertThat(ends.nextOf(next, SOON).data().get("state").asString()).isEqualTo("done");
            assertThat(ends.seen()).noneMatch(e -> e.type().equals("reset"));
        }
    }

    /** A gateway that stops reading as soon as its last follower leaves (no linger). */
    private Gateway gatewayThatForgetsAtOnce() throws Exception {
        // a closed stream is noticed at its next write: frequent heartbeats make that soon
        return cluster.gateway("zootask.gateway.events.linger=0s", "zootask.gateway.events.heartbeat=200ms");
    }

    /** Until the gateway counts no open stream: the ones just closed have been noticed. */
    private static void awaitNoSubscribers(Gateway gateway) {
        await().atMost(SOON).until(() -> gateway.get("/actuator/prometheus").body().lines()
                .anyMatch(line -> line.matches("zootask_gateway_events_subscribers(\\{.*})? 0\\.0")));
    }

    @Test
    void whenNobodyListenedForLongerThanTheLingerTheFeedReadsNothingAndAResumingClientResets() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = gatewayThatForgetsAtOnce();
        String lastSeen;
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events")) {
            String first = gateway.submit("{\"command\":[\"echo\",\"1\"]}");
            lastSeen = events.next(e -> e.type().equals("task") && first.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("done"), SOON).id();
        }
        awaitNoSubscribers(gateway);
        String unseen = gateway.submit("{\"command\":[\"echo\",\"2\"]}");
        gateway.awaitFinished(unseen, SOON);
        try (EventStreamClient resumed = EventStreamClient.open(gateway, "/events", "Last-Event-ID", lastSeen)) {
            resumed.next(e -> e.type().equals("reset"), SOON);
            String next = gateway.submit("{\"command\":[\"echo\",\"3\"]}");
            resumed.next(e -> e.type().equals("task") && next.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("done"), SOON);
            assertThat(resumed.seen()).noneMatch(e -> e.type().equals("task")
                    && unseen.equals(e.data().get("id").asString()));
        }
    }

    @Test
    void oneTaskStreamStartsWithTheTaskAsItIsAndEndsAfterItsEnd() throws Exception {
        Gateway gateway = cluster.gateway();
        String id = gateway.submit("{\"command\":[\"echo\",\"gpu\"],\"requires\":{\"pool\":\"gpu\"}}");
        try (EventStreamClient task = EventStreamClient.open(gateway, "/tasks/" + id + "/events")) {
            assertThat(task.status()).isEqualTo(200);
            assertThat(task.nextOf(id, SOON).data().get("state").asString()).isEqualTo("queued");
            cluster.worker("gpu", 1, "zootask.worker.labels.pool=gpu");
            List<String> states = new ArrayList<>();
            String state;
            do {
                state = task.nextOf(id, SOON).data().get("state").asString();
                states.add(state);
            } while (!state.equals("done"));
            assertThat(states).containsExactly("assigned", "running", "done");
            assertThat(task.ends(SOON)).as("the stream ends after the task's end").isTrue();
        }
        try (EventStreamClient finished = EventStreamClient.open(gateway, "/tasks/" + id + "/events")) {
            assertThat(finished.nextOf(id, SOON).data().get("state").asString()).isEqualTo("done");
            assertThat(finished.ends(SOON)).isTrue();
            assertThat(finished.seen()).hasSize(1);
        }
        Gateway.Reply unknown = gateway.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gateway.base() + "/tasks/task-9999999999/events"))
                .header("Accept", "text/event-stream").GET());
        Gateway.assertProblem(unknown, 404, "task-9999999999");
    }

    @Test
    void afterZooKeeperWasAwayEveryClientIsToldToReloadAndEventsGoOn() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        String waiting = gateway.submit("{\"command\":[\"echo\",\"x\"],\"requires\":{\"pool\":\"gpu\"}}");
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events");
             EventStreamClient task = EventStreamClient.open(gateway, "/tasks/" + waiting + "/events")) {
            task.nextOf(waiting, SOON);
            cluster.server().stop(); // changes made meanwhile would not be seen: the watches are gone with it
            cluster.server().restart();
            JsonNode reset = events.next(e -> e.type().equals("reset"), ofSeconds(60)).data();
            assertThat(reset.get("reason").asString()).contains("reload");
            task.next(e -> e.type().equals("reset"), SOON);
            assertThat(task.ends(SOON)).as("one task's stream ends: its client reads the task anew").isTrue();

            String after = gateway.submit("{\"command\":[\"echo\",\"after\"]}");
            events.next(e -> e.type().equals("task") && after.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("done"), ofSeconds(60));
        }
    }

    @Test
    void workersJoiningAndLeavingAreClusterEvents() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway();
        try (EventStreamClient events = EventStreamClient.open(gateway, "/events")) {
            events.next(e -> e.type().equals("cluster") && e.data().get("workers").size() == 1, SOON);
            ConfigurableApplicationContext second = cluster.worker("v", 3);
            JsonNode two = events.next(e -> e.type().equals("cluster") && e.data().get("workers").size() == 2,
                    SOON).data();
            assertThat(two.get("workers").findValuesAsString("id")).anyMatch(w -> w.startsWith("v-"));
            second.close();
            events.next(e -> e.type().equals("cluster") && e.data().get("workers").size() == 1, SOON);
        }
    }

    @Test
    void withKeysTheStreamNeedsOneAndASubmitKeySeesOnlyItsOwnTasks() throws Exception {
        cluster.worker("w", 2);
        Gateway open = cluster.gateway(TestKeys.allFour());
        Gateway.Reply refused = open.get("/events");
        Gateway.assertProblem(refused, 401, "key");

        Gateway alice = open.withKey(TestKeys.ALICE);
        Gateway bob = open.withKey(TestKeys.BOB);
        try (EventStreamClient aliceEvents = EventStreamClient.open(open, "/events",
                "Authorization", "Bearer " + TestKeys.ALICE);
             EventStreamClient readerEvents = EventStreamClient.open(open, "/events",
                     "Authorization", "Bearer " + TestKeys.READER)) {
            String bobs = bob.submit("{\"command\":[\"echo\",\"bob\"]}");
            String alices = alice.submit("{\"command\":[\"echo\",\"alice\"]}");
            aliceEvents.next(e -> e.type().equals("task") && alices.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("done"), SOON);
            // a reader sees both ends, in whichever order the two tasks finished
            Set<String> endsSeen = new HashSet<>();
            readerEvents.next(e -> {
                if (e.type().equals("task") && e.data().get("state").asString().equals("done")) {
                    endsSeen.add(e.data().get("id").asString());
                }
                return endsSeen.containsAll(Set.of(bobs, alices));
            }, SOON);
            readerEvents.next(e -> e.type().equals("cluster"), SOON);
            // bob's task finished before alice's done arrived? not necessarily: wait until bob's is done for sure
            bob.awaitFinished(bobs, SOON);
            String marker = alice.submit("{\"command\":[\"echo\",\"after bob\"]}");
            aliceEvents.next(e -> e.type().equals("task") && marker.equals(e.data().get("id").asString())
                    && e.data().get("state").asString().equals("done"), SOON);
            assertThat(aliceEvents.seen()).noneMatch(e -> e.type().equals("cluster"))
                    .noneMatch(e -> e.type().equals("task") && bobs.equals(e.data().get("id").asString()));
        }
        try (EventStreamClient wrongKey = EventStreamClient.open(open, "/events",
                "Authorization", "Bearer not-a-key-of-this-gateway-000")) {
            assertThat(wrongKey.status()).isEqualTo(401);
        }
    }

    @Test
    void theHistoryCountsTasksSubmittedAndFinished() throws Exception {
        cluster.worker("w", 2);
        Gateway gateway = cluster.gateway("zootask.gateway.events.history-interval=1s",
                "zootask.gateway.events.history=60s");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(gateway.submit("{\"command\":[\"echo\",\"" + i + "\"]}"));
        }
        for (String id : ids) {
            gateway.awaitFinished(id, SOON);
        }
        await().atMost(SOON).untilAsserted(() -> {
            JsonNode history = gateway.get("/cluster/history").json();
            assertThat(history.get("intervalSeconds").asInt()).isEqualTo(1);
            long submitted = 0;
            long finished = 0;
            for (JsonNode point : history.get("points")) {
                submitted += point.get("submitted").asLong();
                finished += point.get("finished").asLong();
            }
            assertThat(submitted).isEqualTo(3);
            assertThat(finished).isEqualTo(3);
        });
    }
}
