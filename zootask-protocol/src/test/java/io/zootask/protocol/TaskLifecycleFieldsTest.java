package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retries, delays, priorities and routing, as the task's data carries them and every component reads them. */
class TaskLifecycleFieldsTest {

    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");

    private static TaskSpec decode(String json) {
        return ProtocolCodec.decodeTask(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theNewFieldsSurviveTheCodec() {
        TaskSpec spec = new TaskSpec(List.of("true"), 5, 2, null, AT, "s", "ci", new RetryPolicy(4, 2, 3.0, 30),
                AT.plusSeconds(60), 9, Map.of("pool", "gpu"), List.of(new Attempt(1, "w1", TaskState.FAILED, 1, AT,
                AT.plusSeconds(1), null)));
        TaskSpec read = ProtocolCodec.decodeTask(ProtocolCodec.encode(spec));
        assertThat(read).isEqualTo(spec);
    }

    @Test
    void oldAndHandMadeTasksReadWithDefaults() {
        TaskSpec old = decode("{\"command\":[\"echo\",\"hi\"],\"attempt\":1,\"maxAttempts\":3}");
        assertThat(old.effectivePriority()).isEqualTo(5);
        assertThat(old.requires()).isEmpty();
        assertThat(old.attempts()).isEmpty();
        assertThat(old.notBefore()).isNull();
        assertThat(decode("echo hi").effectiveRetry()).isEqualTo(RetryPolicy.DEFAULT);
        // what the encoder writes for a plain task has none of the new fields
        assertThat(new String(ProtocolCodec.encode(TaskSpec.of(List.of("true"), null, AT)), StandardCharsets.UTF_8))
                .doesNotContain("requires").doesNotContain("attempts").doesNotContain("retry");
    }

    @Test
    void withoutAPolicyOnlyALostWorkerEarnsAnotherAttempt() {
        TaskSpec plain = decode("{\"command\":[\"false\"]}");
        assertThat(plain.runsAgainAfter(TaskState.FAILED, false)).isFalse();
        assertThat(plain.runsAgainAfter(TaskState.FAILED, true)).isTrue();
        TaskSpec third = decode("{\"command\":[\"false\"],\"attempt\":3}");
        assertThat(third.runsAgainAfter(TaskState.FAILED, true)).isFalse();
    }

    @Test
    void theOlderTopLevelMaxAttemptsIsTheSameRule() {
        TaskSpec older = decode("{\"command\":[\"false\"],\"maxAttempts\":2}");
        assertThat(older.runsAgainAfter(TaskState.FAILED, false)).isTrue();
        assertThat(older.runsAgainAfter(TaskState.TIMED_OUT, false)).isTrue();
        assertThat(older.runsAgainAfter(TaskState.CANCELLED, false)).isFalse();
        assertThat(decode("{\"command\":[\"false\"],\"maxAttempts\":2,\"attempt\":2}")
                .runsAgainAfter(TaskState.FAILED, true)).isFalse();
    }

    @Test
    void theBackoffGrowsByTheCoefficientUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(10, 1, 2.0, 5);
        assertThat(policy.pauseAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.pauseAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.pauseAfter(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.pauseAfter(4)).isEqualTo(Duration.ofSeconds(5));

        TaskSpec task = new TaskSpec(List.of("false"), null, 2, null, AT, null, null, policy, null, null, null, null);
        Attempt ended = new Attempt(2, "w1", TaskState.FAILED, 1, AT, AT.plusSeconds(10), null);
        TaskSpec next = task.nextAttempt(ended);
        assertThat(next.attempt()).isEqualTo(3);
        assertThat(next.notBefore()).isEqualTo(AT.plusSeconds(12));
        assertThat(next.attempts()).containsExactly(ended);
    }

    @Test
    void aTaskWithoutAPolicyLostWithItsWorkerRunsAgainAtOnceButAskingForTheDefaultsPauses() {
        Attempt lost = new Attempt(1, "w1", TaskState.FAILED, null, AT, AT.plusSeconds(10), "worker lost");

        TaskSpec plain = decode("{\"command\":[\"sleep\",\"60\"]}").nextAttempt(lost);
        assertThat(plain.attempt()).isEqualTo(2);
        assertThat(plain.notBefore()).as("failover is the session timeout, no backoff on top").isNull();

        TaskSpec delayed = decode("{\"command\":[\"sleep\",\"60\"],\"notBefore\":\"2026-01-01T00:00:00Z\"}")
                .nextAttempt(lost);
        assertThat(delayed.notBefore()).as("its own schedule still holds").isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(decode("{\"command\":[\"sleep\",\"60\"],\"retry\":{}}").nextAttempt(lost).notBefore())
                .isEqualTo(AT.plusSeconds(11));
        assertThat(decode("{\"command\":[\"sleep\",\"60\"],\"maxAttempts\":3}").nextAttempt(lost).notBefore())
                .isEqualTo(AT.plusSeconds(11));
    }

    @Test
    void badLifecycleDataIsMalformed() {
        assertThatThrownBy(() -> decode("{\"command\":[\"true\"],\"priority\":12}"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("priority");
        assertThatThrownBy(() -> decode("{\"command\":[\"true\"],\"requires\":{\"pool\":1}}"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("requires.pool");
        assertThatThrownBy(() -> decode("{\"command\":[\"true\"],\"retry\":{\"backoffCoefficient\":0.5}}"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("backoffCoefficient");
    }

    @Test
    void routingMatchesEveryRequiredPairAndReservedWorkersTakeOnlyTheirs() {
        WorkerInfo gpu = new WorkerInfo("w1", null, null, 1, null, Map.of("pool", "gpu", "zone", "eu"), null);
        WorkerInfo reserved = new WorkerInfo("w2", null, null, 1, null, Map.of("pool", "gpu"), true);
        WorkerInfo plain = WorkerInfo.foreign("w3");
        assertThat(Routing.runsOn(Map.of("pool", "gpu"), gpu)).isTrue();
        assertThat(Routing.runsOn(Map.of("pool", "gpu", "zone", "us"), gpu)).isFalse();
        assertThat(Routing.runsOn(Map.of("pool", "gpu"), plain)).isFalse();
        assertThat(Routing.runsOn(Map.of(), gpu)).isTrue();
        assertThat(Routing.runsOn(Map.of(), reserved)).isFalse();
        assertThat(Routing.runsOn(Map.of("pool", "gpu"), reserved)).isTrue();
        WorkerInfo read = ProtocolCodec.decodeWorker("w2", ProtocolCodec.encode(reserved));
        assertThat(read.labels()).containsEntry("pool", "gpu");
        assertThat(read.isReserved()).isTrue();
    }

    @Test
    void cancelledIsATerminalStateAStatusCanSayInPlainText() {
        assertThat(TaskState.CANCELLED.isTerminal()).isTrue();
        assertThat(ProtocolCodec.decodeStatus("cancelled".getBytes(StandardCharsets.UTF_8)).state())
                .isEqualTo(TaskState.CANCELLED);
        assertThat(ZNodes.cancel("task-0000000001")).isEqualTo("/cancel/task-0000000001");
    }
}
