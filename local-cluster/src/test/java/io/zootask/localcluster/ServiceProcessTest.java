package io.zootask.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher API the benchmark and the chaos suite share with bin/local-cluster, on real child processes. */
class ServiceProcessTest {

    @TempDir
    Path dir;

    @Test
    void prefixesEveryLineWithTheNameAndSaysHowItExited() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ServiceProcess process = ServiceProcess.start("svc", List.of("sh", "-c", "echo hello; echo world >&2; exit 3"),
                new ServiceProcess.PrefixedLines(out));

        assertThat(process.awaitExit(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("[svc] hello\n", "[svc] world\n", "[svc] exited with code 3\n"));
    }

    @Test
    void passesTheEnvironmentAndRestartsIntoTheSameLogFile() throws Exception {
        Path log = dir.resolve("svc.log");
        ServiceProcess first = ServiceProcess.start("svc", List.of("sh", "-c", "echo run $SECRET"),
                java.util.Map.of("SECRET", "s3"), new ServiceProcess.LogFile(log));
        assertThat(first.awaitExit(Duration.ofSeconds(10))).isTrue();
        ServiceProcess second = first.restart();
        assertThat(second.awaitExit(Duration.ofSeconds(10))).isTrue();

        assertThat(second.pid()).isNotEqualTo(first.pid());
        assertThat(second.name()).isEqualTo("svc");
        assertThat(Files.readAllLines(log)).containsExactly("run s3", "run s3");
    }

    @Test
    void stopEndsWithSigtermWhenTheServiceHonoursIt() throws Exception {
        ServiceProcess process = ServiceProcess.start("svc", List.of("sleep", "60"),
                new ServiceProcess.LogFile(dir.resolve("svc.log")));

        assertThat(process.stop(Duration.ofSeconds(10))).isTrue();
        assertThat(process.isAlive()).isFalse();
    }

    @Test
    void stopKillsAServiceThatIgnoresSigtermAfterTheGracePeriod() throws Exception {
        Path ready = dir.resolve("ready");
        ServiceProcess process = ServiceProcess.start("svc", List.of("sh", "-c",
                        "trap '' TERM; touch " + ready + "; while :; do sleep 0.1; done"),
                new ServiceProcess.LogFile(dir.resolve("svc.log")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready)); // the trap is set

        assertThat(process.stop(Duration.ofMillis(300))).isFalse();
        assertThat(process.isAlive()).isFalse();
    }

    @Test
    void aServiceTiedToThisJvmIsToldSoAndReadsAStdinThatStaysOpenWhileThisJvmLives() throws Exception {
        Path log = dir.resolve("svc.log");
        // the flag comes last, after the jar's own arguments; here it lands in $0
        ServiceProcess process = ServiceProcess.startTiedToThisJvm("svc", List.of("sh", "-c",
                "echo \"told: $0\"; cat; echo 'stdin ended'"), java.util.Map.of(), new ServiceProcess.LogFile(log));

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log)
                && Files.readString(log).contains("told: --zootask.exit-when-stdin-closes=true"));
        // on /dev/null, cat would end at once; on the pipe, only when this JVM (its writer) is gone
        assertThat(process.awaitExit(Duration.ofMillis(500))).isFalse();
        assertThat(Files.readString(log)).doesNotContain("stdin ended");

        ServiceProcess again = process.restart();
        assertThat(process.stop(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(log).stream()
                .filter(line -> line.equals("told: --zootask.exit-when-stdin-closes=true")).count() == 2);
        assertThat(again.isAlive()).as("restarted tied, as it was").isTrue();
        assertThat(again.stop(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void killTreeLeavesNoChildBehind() throws Exception {
        ServiceProcess process = ServiceProcess.start("svc", List.of("sh", "-c", "sleep 60 & wait"),
                new ServiceProcess.LogFile(dir.resolve("svc.log")));
        ProcessHandle self = ProcessHandle.of(process.pid()).orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> self.children().findAny().isPresent());
        List<ProcessHandle> children = self.children().toList();

        process.killTree();

        assertThat(process.awaitExit(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void findsAModulesExecJarAndSaysHowToBuildAMissingOne() throws Exception {
        Files.createDirectories(dir.resolve("worker-service/target"));
        Path jar = Files.createFile(dir.resolve("worker-service/target/worker-service-1.0-exec.jar"));
        Files.createFile(dir.resolve("worker-service/target/worker-service-1.0.jar"));

        assertThat(ExecJar.of(dir, "worker-service")).isEqualTo(jar);
        assertThat(ExecJar.command(jar, List.of("-Xmx64m"), List.of("--a=b")))
                .endsWith("-Xmx64m", "-jar", jar.toString(), "--a=b");
        assertThatThrownBy(() -> ExecJar.of(dir, "master-service")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("master-service/target").hasMessageContaining("./mvnw -DskipTests package");
    }
}
