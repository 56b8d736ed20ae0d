package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TaskGuardianTest {

    private static final Path SH = Path.of("/bin/sh");

    @Test
    void aWorkerKilledWithSigkillTakesItsTasksAndWhatTheyLeftRunningWithIt() throws Exception {
        assumeTrue(ProcfsScan.available(), "Linux only: the guardian reads /proc");
        // another worker's task on the same machine: its token is not this worker's
        Process bystander = launch(Path.of("/usr/bin/sleep"), List.of("319"),
                Map.of(TaskEnvironment.EXECUTION_VARIABLE, "0123456789abcdef01234567-" + "bystander"));
        // a JVM of its own that launches as the worker does, so that it can be killed with -9 like a worker
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GuardedJvm.class.getName())
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 3; i++) {
                pids.add(Long.parseLong(out.readLine().strip()));
            }
            long task = pids.get(0);
            long background = pids.get(1);
            long guardian = pids.get(2);
            assertThat(Stream.of(task, background, guardian).allMatch(ProcessRunnerTest::alive)).isTrue();

            worker.destroyForcibly(); // SIGKILL: nothing of the worker's runs any more
            worker.waitFor();

            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessRunnerTest.alive(task)
                    && !ProcessRunnerTest.alive(background));
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessRunnerTest.alive(guardian));
            assertThat(bystander.isAlive()).as("another worker's task").isTrue();
        } finally {
            worker.destroyForcibly();
            bystander.destroyForcibly();
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly)); // should it fail
        }
    }

    @Test
    void aGuardianThatDiesIsReplacedAndStillSweepsWhenTheWorkerStops() throws Exception {
        assumeTrue(ProcfsScan.available(), "Linux only: the guardian reads /proc");
        TaskGuardian guardian = TaskGuardian.start();
        Process task = null;
        try {
            long first = guardian.pid();
            assertThat(guardian.guarding()).isTrue();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(10)).until(() -> guardian.guarding() && guardian.pid() != first);
            task = launch(Path.of("/usr/bin/sleep"), List.of("320"),
                    Map.of(TaskEnvironment.EXECUTION_VARIABLE, guardian.newExecutionId()));
            long second = guardian.pid();

            guardian.close(); // as when the worker stops: whatever still runs goes

            Process sleeping = task;
            await().atMost(Duration.ofSeconds(10)).until(() -> !sleeping.isAlive());
            assertThat(ProcessRunnerTest.alive(second)).as("the guardian, once its sweep is done").isFalse();
            assertThat(guardian.guarding()).isFalse();
        } finally {
            guardian.close();
            if (task != null) {
                task.destroyForcibly();
            }
        }
    }

    @Test
    void executionIdsCarryTheWorkersTokenAndDifferFromEachOther() {
        try (TaskGuardian guardian = TaskGuardian.start(); TaskGuardian another = TaskGuardian.start()) {
            String one = guardian.newExecutionId();
            String other = guardian.newExecutionId();
            assertThat(one).isNotEqualTo(other).matches("[0-9a-f]{24}-[0-9a-f-]{36}");
            assertThat(one.substring(0, 25)).isEqualTo(other.substring(0, 25));
            assertThat(another.newExecutionId().substring(0, 25))
                    .as("another worker's token").isNotEqualTo(one.substring(0, 25));
        }
    }

    /** As the worker launches a task, in {@code /}. */
    static Process launch(Path executable, List<String> arguments, Map<String, String> environment)
            throws Exception {
        try (ProcessLauncher.Turn turn = ProcessLauncher.awaitTurn()) {
            return ProcessLauncher.start(turn, executable, arguments, Path.of("/"), environment);
        }
    }

    /**
     * A worker in miniature: its guardian, and a task (a shell that leaves a {@code sleep} in the background and
     * becomes another) launched as the worker launches one. Says the task's pid, the background one's and the
     * guardian's, and waits to be killed.
     */
    static final class GuardedJvm {

        public static void main(String[] args) throws Exception {
            ProcessLauncher.chooseLaunchMechanism();
            TaskGuardian guardian = TaskGuardian.start();
            Process task = launch(SH, List.of("-c", "sleep 317 & echo $!; exec sleep 318"),
                    Map.of("PATH", "/usr/bin:/bin", TaskEnvironment.EXECUTION_VARIABLE, guardian.newExecutionId()));
            String background = new BufferedReader(new InputStreamReader(task.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            System.out.println(task.pid());
            System.out.println(background);
            System.out.println(guardian.pid());
            System.out.flush();
            task.waitFor();
        }
    }
}
