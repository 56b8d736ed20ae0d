package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.protocol.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {

    private final ProcessRunner runner = new ProcessRunner(1024, Clock.systemUTC());

    @Test
    void capturesOutputAndExitCode() throws Exception {
        ExecutionResult ok = runner.run(List.of("echo", "hello", "world"), Duration.ofSeconds(10));
        assertThat(ok.state()).isEqualTo(TaskState.DONE);
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.output()).isEqualTo("hello world\n");
        assertThat(ok.outputTruncated()).isFalse();

        ExecutionResult failed = runner.run(List.of("false"), Duration.ofSeconds(10));
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.exitCode()).isEqualTo(1);
    }

    @Test
    void keepsOnlyTheTailOfLargeOutput() throws Exception {
        ExecutionResult result = runner.run(List.of("seq", "1", "100000"), Duration.ofSeconds(30));
        assertThat(result.state()).isEqualTo(TaskState.DONE);
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.output().length()).isLessThanOrEqualTo(1024);
        assertThat(result.output()).endsWith("99999\n100000\n");
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        String marker = "31" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
        // a shell whose children outlive it unless the tree is killed
        ExecutionResult result = runner.run(List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                Duration.ofSeconds(1));
        assertThat(result.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(result.message()).contains("timed out after 1s");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep " + marker)));
    }

    @Test
    void unknownExecutableFailsWithAClearMessage() throws Exception {
        ExecutionResult result = runner.run(List.of("no-such-program-zootask"), Duration.ofSeconds(5));
        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.message()).contains("no such executable");
    }
}
