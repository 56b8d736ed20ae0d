package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The README's first command as a user runs it: {@code bin/local-cluster} starts everything, a task submitted with
 * curl finishes, and SIGTERM leaves no process behind; nor does SIGKILL. Runs after packaging (failsafe), on ports of
 * its own.
 */
@Timeout(300)
class LocalClusterIT {

    private static final int GATEWAY = 18080;
    private static final int ZOOKEEPER = 12181;
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void startsTheWholeClusterRunsACurlTaskAndStopsEverythingOnSigterm() throws Exception {
        assertThat(Files.isExecutable(ROOT.resolve("bin/local-cluster"))).isTrue();
        List<String> output = new CopyOnWriteArrayList<>();
        Process launcher = startLauncher(GATEWAY, ZOOKEEPER, 18000, output);
        try {
            awaitUp(launcher, output);
            assertThat(output).anyMatch(l -> l.contains("Swagger UI:  http://127.0.0.1:" + GATEWAY + "/swagger-ui.html"));
            assertThat(output.stream().filter(l -> l.startsWith("[local-cluster]") && l.contains("http://"))
                    .findFirst()).as("the first URL it prints")
                    .hasValueSatisfying(l -> assertThat(l).endsWith("dashboard:   http://127.0.0.1:" + GATEWAY + "/"));
            assertThat(output).anyMatch(l -> l.startsWith("[master-1]"))
                    .anyMatch(l -> l.startsWith("[master-2]")).anyMatch(l -> l.startsWith("[worker-2]"))
                    .anyMatch(l -> l.startsWith("[gateway]"));

            String base = "http://127.0.0.1:" + GATEWAY;
            JsonNode accepted = Gateway.JSON.readTree(curl("-s", "-X", "POST", base + "/tasks",
                    "-H", "Content-Type: application/json", "-d", "{\"command\":[\"echo\",\"hello\"]}"));
            String id = accepted.get("id").asString();
            JsonNode done = Gateway.JSON.readTree(curl("-s", base + "/tasks/" + id + "?waitSeconds=30"));
            assertThat(done.get("state").asString()).isEqualTo("done");
            assertThat(done.get("output").asString()).isEqualTo("hello\n");
            // a standby joins the election once its context is up, which on a loaded machine may trail "zootask is up"
            await().atMost(seconds(60)).untilAsserted(() -> {
                JsonNode cluster = Gateway.JSON.readTree(curl("-s", base + "/cluster"));
                assertThat(cluster.get("masters").size()).isEqualTo(2);
                assertThat(cluster.get("workers").size()).isEqualTo(2);
            });

            List<ProcessHandle> started = launcher.descendants().toList();
            assertThat(started).hasSizeGreaterThanOrEqualTo(5);
            // SIGTERM, as Ctrl-C or a service manager would. Through the handle: Process.destroy() would also close
            // our end of its output, and we want to read what it says while stopping.
            launcher.toHandle().destroy();
            assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).isTrue();
            await().atMost(seconds(10)).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(listening(GATEWAY)).isFalse();
            assertThat(listening(ZOOKEEPER)).isFalse();
            await().atMost(seconds(5)).until(() -> output.stream().anyMatch(l -> l.equals("[local-cluster] stopped")));
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    @Test
    void aLauncherKilledWithSigkillTakesEveryServiceWithIt() throws Exception {
        int gateway = 18480;
        List<String> output = new CopyOnWriteArrayList<>();
        Process launcher = startLauncher(gateway, 12481, 18400, output);
        List<ProcessHandle> started = List.of();
        try {
            awaitUp(launcher, output);
            started = launcher.descendants().toList();
            assertThat(started).hasSizeGreaterThanOrEqualTo(5);

            // a crash, or kill -9 by a user: no signal handler of the launcher runs, nothing of it stops the services
            launcher.toHandle().destroyForcibly();
            assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();

            List<ProcessHandle> services = started;
            await().atMost(seconds(90)).until(() -> services.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(listening(gateway)).as("the next bin/local-cluster finds the port free").isFalse();
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    /** {@code bin/local-cluster} on these ports, as a user starts it, its output copied into {@code output}. */
    private static Process startLauncher(int gateway, int zookeeper, int basePort, List<String> output)
            throws IOException {
        Process launcher = new ProcessBuilder("bin/local-cluster", "--gateway-port", String.valueOf(gateway),
                "--zookeeper-port", String.valueOf(zookeeper), "--base-port", String.valueOf(basePort))
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> copy(launcher, output));
        reader.setDaemon(true);
        reader.start();
        return launcher;
    }

    /** Until it says the cluster is up; failing with everything it said if it ends first. */
    private static void awaitUp(Process launcher, List<String> output) {
        await().atMost(seconds(180)).until(() -> output.stream().anyMatch(l -> l.contains("zootask is up"))
                || !launcher.isAlive());
        assertThat(launcher.isAlive()).as(String.join("\n", output)).isTrue();
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl"));
        command.addAll(List.of(args));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(out).isZero();
        return out;
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copy(Process process, List<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                System.out.println(line);
            }
        } catch (IOException ignored) {
            // the launcher is gone
        }
    }
}
