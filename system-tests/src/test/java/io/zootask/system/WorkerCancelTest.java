package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A worker takes back the tasks assigned to it when {@code /cancel/<id>} appears, as a foreign client (zkCli:
 * {@code create /cancel/<id> ""}) asks: a running one has its whole process tree killed, one not yet started never
 * starts, and both end {@code cancelled}. There is no master here: assignments are made by hand, so only the
 * worker's part of a cancel is at work (the master takes back queued tasks, not assigned ones).
 */
@Timeout(120)
class WorkerCancelTest {

    @TempDir
    Path temp;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;
    private Path journal;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        zk = cluster.plainClient();
        journal = temp.resolve("journal.jsonl");
    }

    private void worker(int slots) {
        cluster.worker("wc", slots, "zootask.worker.journal=" + journal);
        await().atMost(seconds(20)).until(() -> Znodes.exists(zk, "/workers/wc-1"));
    }

    private void assign(String id, String commandJson) throws Exception {
        Znodes.create(zk, "/assign/wc-1/" + id, "{\"command\":" + commandJson + "}");
    }

    /** How long until {@code /status/<id>} appears, polling every few milliseconds. */
    private Duration timeUntilStatus(String id, long since) {
        await().atMost(seconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> Znodes.exists(zk, "/status/" + id));
        return Duration.ofNanos(System.nanoTime() - since);
    }

    @Test
    void aRunningTaskHasItsProcessTreeKilledAndEndsCancelledAtOnce() throws Exception {
        worker(1);
        String id = "task-0000000101";
        assign(id, "[\"sleep\",\"30\"]");
        ProcessHandle process = await().atMost(seconds(10)).until(() -> Znodes.taskProcess("sleep 30"),
                java.util.Optional::isPresent).orElseThrow();
        await().atMost(seconds(10)).until(() -> Znodes.exists(zk, "/running/" + id));

        long asked = System.nanoTime();
        Znodes.create(zk, "/cancel/" + id, "");

        // at once, not when the sleep ends; how fast is the benchmark's to say (cancel_p99_ms)
        assertThat(timeUntilStatus(id, asked)).isLessThan(Duration.ofSeconds(10));
        JsonNode status = Znodes.json(zk, "/status/" + id).orElseThrow();
        assertThat(status.get("state").asString()).isEqualTo("cancelled");
        assertThat(status.hasNonNull("startedAt")).as("a cancelled task that ran says when it started").isTrue();
        assertThat(status.get("attempts")).hasSize(1);
        assertThat(process.isAlive()).isFalse();
        assertThat(Znodes.exists(zk, "/cancel/" + id)).as("the request, removed with the task's end").isFalse();
        assertThat(Znodes.exists(zk, "/running/" + id)).isFalse();
        assertThat(Znodes.exists(zk, "/assign/wc-1/" + id)).isFalse();
    }

    @Test
    void aTaskWaitingForASlotEndsCancelledWithoutItsProcessEverStarting() throws Exception {
        worker(1);
        String blocker = "task-0000000201";
        String waiting = "task-0000000202";
        assign(blocker, "[\"sleep\",\"31\"]");
        await().atMost(seconds(10)).until(() -> Znodes.taskProcess("sleep 31").isPresent());
        assign(waiting, "[\"sleep\",\"32\"]"); // the one slot is taken: it waits

        long asked = System.nanoTime();
        Znodes.create(zk, "/cancel/" + waiting, "");

        assertThat(timeUntilStatus(waiting, asked)).isLessThan(Duration.ofSeconds(10));
        JsonNode status = Znodes.json(zk, "/status/" + waiting).orElseThrow();
        assertThat(status.get("state").asString()).isEqualTo("cancelled");
        assertThat(status.hasNonNull("startedAt")).as("never started").isFalse();
        assertThat(Znodes.exists(zk, "/cancel/" + waiting)).isFalse();
        assertThat(Znodes.exists(zk, "/assign/wc-1/" + waiting)).isFalse();

        // free the slot, then run one more task after it: the cancelled one's turn has come and gone
        Znodes.create(zk, "/cancel/" + blocker, "");
        await().atMost(seconds(10)).until(() -> Znodes.exists(zk, "/status/" + blocker));
        String after = "task-0000000203";
        assign(after, "[\"true\"]");
        await().atMost(seconds(10)).until(() -> Znodes.exists(zk, "/status/" + after));
        assertThat(startedTasks()).contains(blocker, after).doesNotContain(waiting);
        assertThat(Znodes.taskProcess("sleep 32")).isEmpty();
    }

    @Test
    void aTaskAssignedBeforeItsNotBeforeWaitsAndACancelMeanwhileEndsItWithoutAStart() throws Exception {
        worker(2);
        String early = "task-0000000251";
        String delayed = "task-0000000252";
        String notBefore = Instant.now().plusSeconds(1).toString();
        // a master that does not know notBefore (or a clock ahead) assigns them now: the worker still waits
        assign(early, "[\"true\"],\"notBefore\":\"" + notBefore + "\"");
        assign(delayed, "[\"sleep\",\"33\"],\"notBefore\":\"" + Instant.now().plusSeconds(60) + "\"");

        await().atMost(seconds(10)).until(() -> Znodes.exists(zk, "/status/" + early));
        JsonNode done = Znodes.json(zk, "/status/" + early).orElseThrow();
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(Instant.parse(done.get("startedAt").asString())).isAfterOrEqualTo(Instant.parse(notBefore));

        long asked = System.nanoTime();
        Znodes.create(zk, "/cancel/" + delayed, "");
        assertThat(timeUntilStatus(delayed, asked)).isLessThan(Duration.ofSeconds(10));
        assertThat(Znodes.json(zk, "/status/" + delayed).orElseThrow().get("state").asString())
                .isEqualTo("cancelled");
        assertThat(startedTasks()).containsExactly(early);
    }

    @Test
    void aCancelRacingTheCompletionEndsInExactlyOneTerminalStatus() throws Exception {
        int tasks = 24;
        worker(tasks);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            String id = String.format("task-%010d", 300 + i);
            ids.add(id);
            assign(id, "[\"sleep\",\"0.5\"]");
        }
        await().atMost(seconds(20)).until(() -> startedTasks().containsAll(ids));
        // each cancel lands at its own offset from its process's natural end (started + 0.5 s): from well before
        // to well after, so that some land while the completion is being written
        Map<String, Long> started = startTimes();
        Map<Long, String> schedule = new TreeMap<>();
        for (int i = 0; i < tasks; i++) {
            long offset = -150 + 300L * i / tasks;
            schedule.put(started.get(ids.get(i)) + 500 + offset, ids.get(i));
        }
        for (Map.Entry<Long, String> cancel : schedule.entrySet()) {
            long wait = cancel.getKey() - System.currentTimeMillis();
            if (wait > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait)); // pacing, not waiting for a result
            }
            Znodes.create(zk, "/cancel/" + cancel.getValue(), "");
        }

        Map<String, String> ended = new TreeMap<>();
        await().atMost(seconds(20)).untilAsserted(() -> {
            for (String id : ids) {
                Znodes.json(zk, "/status/" + id).ifPresent(s -> ended.put(id, s.get("state").asString()));
            }
            assertThat(ended).hasSize(tasks);
        });
        assertThat(ended.values()).as("%s", ended).allMatch(s -> s.equals("done") || s.equals("cancelled"));
        await().atMost(seconds(5)).untilAsserted(() ->
                assertThat(Znodes.children(zk, "/cancel")).as("requests left behind").isEmpty());
        assertThat(Znodes.children(zk, "/assign/wc-1")).isEmpty();
        assertThat(Znodes.children(zk, "/running")).isEmpty();
        assertThat(Znodes.children(zk, "/tasks")).isEmpty();
        System.out.printf("cancel racing completion: %d done, %d cancelled%n",
                ended.values().stream().filter("done"::equals).count(),
                ended.values().stream().filter("cancelled"::equals).count());
    }

    /** When the worker's journal says each task's process started (epoch millis). */
    private Map<String, Long> startTimes() throws Exception {
        Map<String, Long> times = new TreeMap<>();
        for (String line : Files.readAllLines(journal)) {
            JsonNode event = Gateway.JSON.readTree(line);
            if (event.get("event").asString().equals("start")) {
                times.put(event.get("task").asString(), event.get("at").asLong());
            }
        }
        return times;
    }

    /** The tasks whose process the worker's journal says it started. */
    private List<String> startedTasks() throws Exception {
        if (!Files.exists(journal)) {
            return List.of();
        }
        List<String> started = new ArrayList<>();
        for (String line : Files.readAllLines(journal)) {
            JsonNode event = Gateway.JSON.readTree(line);
            if (event.get("event").asString().equals("start")) {
                started.add(event.get("task").asString());
            }
        }
        return started;
    }

}
