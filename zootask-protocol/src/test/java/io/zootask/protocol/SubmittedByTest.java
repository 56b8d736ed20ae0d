package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The id of the API key that submitted a task travels with it, and data without it reads as before. */
class SubmittedByTest {

    private static final Instant AT = Instant.parse("2026-11-22T10:15:30Z");

    @Test
    void aTaskKeepsItsSubmitterThroughTheCodecAndARequeue() {
        TaskSpec spec = new TaskSpec(List.of("echo", "hi"), null, 1, null, AT, "s-1", "ci");
        String json = new String(ProtocolCodec.encode(spec), StandardCharsets.UTF_8);
        assertThat(json).contains("\"submittedBy\":\"ci\"");
        assertThat(ProtocolCodec.decodeTask(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(spec);
        assertThat(spec.nextAttempt(new Attempt(1, "w1", TaskState.FAILED, null, null, AT, "worker lost")).submittedBy())
                .isEqualTo("ci");
        assertThat(TaskStatus.failure(spec, "master-1", AT, "malformed").submittedBy()).isEqualTo("ci");
    }

    @Test
    void withoutASubmitterNothingIsWrittenAndOldDataStillReads() {
        TaskSpec spec = new TaskSpec(List.of("true"), null, 1, null, AT, "s-2");
        assertThat(new String(ProtocolCodec.encode(spec), StandardCharsets.UTF_8)).doesNotContain("submittedBy");
        assertThat(ProtocolCodec.decodeTask("{\"command\":[\"true\"]}".getBytes(StandardCharsets.UTF_8))
                .submittedBy()).isNull();
        TaskStatus status = ProtocolCodec.decodeStatus(
                "{\"state\":\"done\",\"submittedBy\":\"ci\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(status.submittedBy()).isEqualTo("ci");
        assertThat(ProtocolCodec.decodeStatus("done".getBytes(StandardCharsets.UTF_8)).submittedBy()).isNull();
    }
}
