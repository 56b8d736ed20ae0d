package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainTextTaskIsACommandLineSplitOnWhiteSpace() {
        TaskSpec task = ProtocolCodec.decodeTask(utf8("  echo   hi\tthere "));
        assertThat(task.command()).containsExactly("echo", "hi", "there");
        assertThat(task.attempt()).isEqualTo(1);
        assertThat(task.timeoutSeconds()).isNull();
    }

    @Test
    void jsonTaskRoundTripsWithItsTimestamp() {
        Instant submitted = Instant.parse("2026-11-22T10:15:30.123Z");
        TaskSpec original = new TaskSpec(List.of("sleep", "1"), 30, 2, 5, submitted, "3f1c");
        String json = new String(ProtocolCodec.encode(original), StandardCharsets.UTF_8);
        assertThat(json).contains("\"command\":[\"sleep\",\"1\"]").contains("\"submittedAt\":\"2026-11-22T10:15:30.123Z\"");
        assertThat(ProtocolCodec.decodeTask(utf8(json))).isEqualTo(original);
    }

    @Test
    void unknownFieldsFromOtherClientsAreIgnored() {
        TaskSpec task = ProtocolCodec.decodeTask(utf8("{\"command\":[\"true\"],\"owner\":\"bob\"}"));
        assertThat(task.command()).containsExactly("true");
    }

    @Test
    void garbageTasksAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8("")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8("{not json")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8("{\"cmd\":[\"echo\"]}")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("\"command\"");
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8("{\"command\":[1,2]}")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("array of strings");
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8("{\"command\":[\"x\"],\"timeoutSeconds\":\"soon\"}")))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("timeoutSeconds");
        // the message ends up in a status a user reads: Jackson's limit, without Jackson's internal names
        String deep = "{\"command\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}";
        assertThatThrownBy(() -> ProtocolCodec.decodeTask(utf8(deep)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("nesting depth")
                .hasMessageNotContaining("StreamReadConstraints").hasMessageNotContaining("`");
    }

    @Test
    void plainTextStatusesFromForeignWorkersAreHonoured() {
        assertThat(ProtocolCodec.decodeStatus(utf8("done")).state()).isEqualTo(TaskState.DONE);
        assertThat(ProtocolCodec.decodeStatus(utf8("FAILED")).state()).isEqualTo(TaskState.FAILED);
        TaskStatus computed = ProtocolCodec.decodeStatus(utf8("computed-result"));
        assertThat(computed.state()).isEqualTo(TaskState.DONE);
        assertThat(computed.output()).isEqualTo("computed-result");
    }

    @Test
    void jsonStatusRoundTrips() {
        TaskStatus status = new TaskStatus(TaskState.TIMED_OUT, List.of("sleep", "100"), 137, "partial", true, "w1",
                1, Instant.parse("2026-11-22T09:59:59Z"), Instant.parse("2026-11-22T10:00:00Z"),
                Instant.parse("2026-11-22T10:00:05Z"), "timed out after 5s", "3f1c");
        byte[] json = ProtocolCodec.encode(status);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"state\":\"timed_out\"");
        assertThat(ProtocolCodec.decodeStatus(json)).isEqualTo(status);
    }

    @Test
    void foreignWorkerDataIsOneSlot() {
        assertThat(ProtocolCodec.decodeWorker("w1", utf8("Idle"))).isEqualTo(WorkerInfo.foreign("w1"));
        assertThat(ProtocolCodec.decodeWorker("w1", new byte[0]).slots()).isEqualTo(1);
        assertThat(ProtocolCodec.decodeWorker("w1", utf8("{\"slots\":\"many\"}")).slots()).isEqualTo(1);
        WorkerInfo ours = new WorkerInfo("w2", "host", 42L, 4, "0.1.0");
        assertThat(ProtocolCodec.decodeWorker("w2", ProtocolCodec.encode(ours))).isEqualTo(ours);
    }

    @Test
    void handWrittenMasterIsItsText() {
        assertThat(ProtocolCodec.decodeMaster(utf8("m1.example.com")).id()).isEqualTo("m1.example.com");
    }

    @Test
    void anIdempotencyRecordOfABatchKeepsItsSizeAndTasksAndOneOfATaskReadsAsBefore() {
        Instant at = Instant.parse("2026-11-25T18:00:00Z");
        IdempotencyRecord batch = new IdempotencyRecord("b1", "h", null, at, 2, List.of("task-0000000001",
                "task-0000000002"));
        assertThat(ProtocolCodec.decodeIdempotencyRecord(ProtocolCodec.encode(batch))).isEqualTo(batch);
        assertThat(new String(ProtocolCodec.encode(batch), StandardCharsets.UTF_8)).doesNotContain("\"task\"");

        byte[] single = utf8("{\"submission\":\"s\",\"request\":\"h\",\"task\":\"task-0000000007\","
                + "\"createdAt\":\"2026-11-25T18:00:00Z\"}");
        assertThat(ProtocolCodec.decodeIdempotencyRecord(single))
                .isEqualTo(new IdempotencyRecord("s", "h", "task-0000000007", at));
        assertThat(new String(ProtocolCodec.encode(new IdempotencyRecord("s", "h", "task-0000000007", at)),
                StandardCharsets.UTF_8)).doesNotContain("batch").doesNotContain("tasks");
        assertThat(IdempotencyRecord.batchSubmission("b1", 7)).isEqualTo("b1#7");
    }
}
