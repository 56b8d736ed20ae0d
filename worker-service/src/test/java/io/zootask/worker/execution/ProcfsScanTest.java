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
    void aLaterScanRemembersWhatEachProcessCarriedButReadsAMatchAgain() throws Exception {
        assumeThat(ProcfsScan.available()).isTrue();
        Process tagged = start(Map.of(TaskEnvironment.EXECUTION_VARIABLE, "scan-test-4"));
        try {
            awaitStarted(tagged);
            ProcfsScan scan = new ProcfsScan();
            assertThat(scan.find(Set.of("scan-test-4"))).containsOnlyKeys("scan-test-4");
            assertThat(scan.lastRead()).contains(tagged.pid());

            // looking for another id: what the first pass read of it stands
            assertThat(scan.find(Set.of("scan-test-5"))).isEmpty();
            assertThat(scan.lastRead()).doesNotContain(tagged.pid());

            // looking for its id again: found, and read again to be sure
            assertThat(scan.find(Set.of("scan-test-4")).get("scan-test-4")).extracting(ProcessHandle::pid)
                    .containsExactly(tagged.pid());
            assertThat(scan.lastRead()).contains(tagged.pid());
        } finally {
            tagged.destroyForcibly();
        }
    }

    @Test
    void aLeftoverKilledSinceTheLastScanIsNotFoundAgainWhileItIsAZombie() throws Exception {
        // a sweep kills, then looks again for what was forked meanwhile: a zombie must not look like a new find
        assumeThat(ProcfsScan.available()).isTrue();
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "sleep 61 & echo $!; exec sleep 62");
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put(TaskEnvironment.EXECUTION_VARIABLE, "scan-test-6");
        Process parent = builder.start();
        try {
            // sleep never collects its children: the killed one stays a zombie while its parent lives
            long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(
                    parent.getInputStream())).readLine().strip());
            awaitStarted(parent, "sleep");
            ProcfsScan scan = new ProcfsScan();
            assertThat(scan.find(Set.of("scan-test-6")).get("scan-test-6")).extracting(ProcessHandle::pid)
                    .containsExactlyInAnyOrder(parent.pid(), child);

            ProcessHandle.of(child).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessRunnerTest.alive(child));

            assertThat(scan.find(Set.of("scan-test-6")).get("scan-test-6")).extracting(ProcessHandle::pid)
                    .containsExactly(parent.pid());
        } finally {
            parent.destroyForcibly();
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
        awaitStarted(process, "/bin/sleep");
    }

    private static void awaitStarted(Process process, String program) {
        Path cmdline = Path.of("/proc/" + process.pid() + "/cmdline");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(cmdline).startsWith(program));
    }
}
