package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ProcfsScan} against this machine's real {@code /proc}. */
class ProcfsScanTest {

    @Test
    void findsAProcessByTheExecutionIdInItsEnvironment() throws Exception {
        assumeThat(ProcfsScan.available()).isTrue();
        Process tagged = start(Map.of(TaskEnvironment.EXECUTION_VARIABLE, "scan-test-1"));
        try {
            awaitStarted(tagged);
            Map<String, List<ProcessHandle>> found = new ProcfsScan().find(Set.of("scan-test-1", "scan-test-2"));
            assertThat(found).containsOnlyKeys("scan-test-1");
            assertThat(found.get("scan-test-1")).extracting(ProcessHandle::pid).containsExactly(tagged.pid());
        } finally {
            tagged.destroyForcibly();
        }
    }

    @Test
    void aProcessWithAnEmptyEnvironmentIsNotTakenForOneInTheMiddleOfAnExec() throws Exception {
        // it reads as empty as a process mid-exec does, but for good: waiting for it would hold up every sweep
        assumeThat(ProcfsScan.available()).isTrue();
        Process bare = start(Map.of());
        try {
            awaitStarted(bare);
            ProcfsScan scan = new ProcfsScan();
            assertThat(scan.find(Set.of("scan-test-3"))).isEmpty();
            assertThat(scan.lastWaitedFor()).doesNotContain(bare.pid());
        } finally {
            bare.destroyForcibly();
        }
    }

    @Test
    void aLaterScanRemembersWhatEachProcessCarriedAndForgetsTheProcessesThatAreGone() throws Exception {
        assumeThat(ProcfsScan.available()).isTrue();
        Process tagged = start(Map.of(TaskEnvironment.EXECUTION_VARIABLE, "scan-test-4"));
        try {
            awaitStarted(tagged);
            ProcfsScan scan = new ProcfsScan();
            assertThat(scan.find(Set.of("scan-test-4"))).containsOnlyKeys("scan-test-4");
            long readByFirst = scan.environmentsRead();

            // the same processes: found again, from what the first pass read (at most a few new ones are read)
            assertThat(scan.find(Set.of("scan-test-4")).get("scan-test-4")).extracting(ProcessHandle::pid)
                    .containsExactly(tagged.pid());
            assertThat(scan.environmentsRead() - readByFirst).isLessThan(readByFirst / 2);

            tagged.destroyForcibly();
            tagged.waitFor();
            assertThat(scan.find(Set.of("scan-test-4"))).isEmpty();
        } finally {
            tagged.destroyForcibly();
        }
    }

    private static Process start(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("/bin/sleep", "60");
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Until the process runs sleep itself (its exec done): its command line says so. */
    private static void awaitStarted(Process process) {
        Path cmdline = Path.of("/proc/" + process.pid() + "/cmdline");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(cmdline).startsWith("/bin/sleep"));
    }
}
