package io.zootask.worker.completion;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.protocol.Attempt;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.TaskState;
import io.zootask.protocol.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusFitterTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private static TaskStatus status(List<String> command, String output) {
        return new TaskStatus(TaskState.DONE, command, 0, output, null, "w-1", 1, AT, AT, AT, null, "s", null);
    }

    @Test
    void aStatusThatFitsIsWrittenAsItIs() {
        TaskStatus status = status(List.of("echo", "hi"), "hi\n");
        StatusFitter.Fitted fitted = new StatusFitter(10_000).fit(status);
        assertThat(fitted.fit()).isEqualTo(StatusFitter.Fit.WHOLE);
        assertThat(fitted.data()).isEqualTo(ProtocolCodec.encode(status));
    }

    @Test
    void binaryOutputIsCutToItsLongestTailThatFits() {
        StringBuilder binary = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            binary.append((char) (i % 32)); // control characters: six bytes each in JSON
        }
        binary.append("\uD83D\uDE00end"); // a surrogate pair near the end must not be split
        StatusFitter fitter = new StatusFitter(50_000);
        StatusFitter.Fitted fitted = fitter.fit(status(List.of("cat", "x"), binary.toString()));
        assertThat(fitted.fit()).isEqualTo(StatusFitter.Fit.OUTPUT_CUT);
        assertThat(fitted.data().length).isLessThanOrEqualTo(50_000).isGreaterThan(49_000);
        TaskStatus written = ProtocolCodec.decodeStatus(fitted.data());
        assertThat(written.state()).isEqualTo(TaskState.DONE);
        assertThat(written.command()).containsExactly("cat", "x");
        assertThat(written.outputTruncated()).isTrue();
        assertThat(binary.toString()).endsWith(written.output());
        assertThat(written.message()).contains("output cut");
    }

    @Test
    void aCommandTooLargeForAnyStatusIsDroppedFromAFailedOne() {
        StatusFitter.Fitted fitted = new StatusFitter(10_000).fit(status(List.of("echo", "x".repeat(20_000)), "x"));
        assertThat(fitted.fit()).isEqualTo(StatusFitter.Fit.COMMAND_DROPPED);
        TaskStatus written = ProtocolCodec.decodeStatus(fitted.data());
        assertThat(written.state()).isEqualTo(TaskState.FAILED);
        assertThat(written.command()).isNull();
        assertThat(written.exitCode()).isZero();
        assertThat(written.worker()).isEqualTo("w-1");
        assertThat(written.message()).contains("command was dropped").contains("ended done with exit code 0");
    }

    @Test
    void aLongHistoryLosesItsOldestEntriesFirstAndKeepsTheLastOne() {
        List<Attempt> history = new ArrayList<>();
        for (int k = 1; k <= 100; k++) {
            history.add(new Attempt(k, "w-1", TaskState.FAILED, 1, AT, AT, "exited with code 1 " + "x".repeat(200)));
        }
        TaskStatus status = new TaskStatus(TaskState.FAILED, List.of("false"), 1, "out", null, "w-1", 100, AT, AT, AT,
                "exited with code 1", "s", null, history);
        StatusFitter.Fitted fitted = new StatusFitter(5_000).fit(status);

        assertThat(fitted.fit()).isEqualTo(StatusFitter.Fit.OUTPUT_CUT);
        assertThat(fitted.data().length).isLessThanOrEqualTo(5_000);
        TaskStatus written = ProtocolCodec.decodeStatus(fitted.data());
        assertThat(written.state()).isEqualTo(TaskState.FAILED);
        assertThat(written.attempts()).isNotEmpty().hasSizeLessThan(100);
        assertThat(written.attempts().get(written.attempts().size() - 1)).isEqualTo(history.get(99));
        assertThat(written.attempts().get(0).attempt()).isGreaterThan(1);
        assertThat(written.message()).contains("history cut");
    }

    @Test
    void aHistoryThatFitsIsKeptWhenOnlyOutputIsCut() {
        List<Attempt> history = List.of(new Attempt(1, "w-1", TaskState.FAILED, 1, AT, AT, "exited with code 1"),
                new Attempt(2, "w-1", TaskState.FAILED, 1, AT, AT, "exited with code 1"));
        TaskStatus status = new TaskStatus(TaskState.FAILED, List.of("false"), 1, "y".repeat(20_000), null, "w-1", 2,
                AT, AT, AT, "exited with code 1", "s", null, history);
        TaskStatus written = ProtocolCodec.decodeStatus(new StatusFitter(5_000).fit(status).data());
        assertThat(written.attempts()).isEqualTo(history);
        assertThat(written.outputTruncated()).isTrue();
    }
}
