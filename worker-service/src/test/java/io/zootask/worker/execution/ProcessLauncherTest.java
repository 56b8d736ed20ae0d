package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessLauncherTest {

    @Test
    void aTaskProcessDiesWithAWorkerKilledWithSigkill() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        // a JVM of its own that launches as the worker does, so that it can be killed with -9 like a worker
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LaunchingJvm.class.getName())
                .redirectErrorStream(true).start();
        long task = -1;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            task = Long.parseLong(out.readLine().strip());
            long pid = task;
            assertThat(ProcessRunnerTest.alive(pid)).isTrue();

            worker.destroyForcibly(); // SIGKILL: nothing of the worker's runs any more
            worker.waitFor();

            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessRunnerTest.alive(pid));
        } finally {
            worker.destroyForcibly();
            ProcessHandle.of(task).ifPresent(ProcessHandle::destroyForcibly); // should the test fail
        }
    }

    /** Launches a long {@code sleep} with the worker's launcher, says its pid, and waits to be killed. */
    static final class LaunchingJvm {

        public static void main(String[] args) throws Exception {
            ProcessLauncher.chooseLaunchMechanism();
            Process task = ProcessLauncher.start(Path.of("/usr/bin/sleep"), List.of("317"), Path.of("/"),
                    Map.of());
            System.out.println(task.pid());
            System.out.flush();
            task.waitFor();
        }
    }
}
