package io.zootask.localcluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service JVM (or any command) started as a child process, by name. Part of this module's public API, with
 * {@link ExecJar} and {@link ReadinessProbe}: {@code bin/local-cluster}, the benchmark and the chaos suite all start,
 * signal and restart their processes through it.
 */
public final class ServiceProcess {

    /** How long {@link #stop} waits for a process it had to kill. */
    private static final Duration KILLED_EXIT = Duration.ofSeconds(30);

    /** Where a child's stdout and stderr go. */
    public sealed interface Output permits PrefixedLines, LogFile {
    }

    /** Each line copied to {@code out} behind a {@code [name]} prefix, then a line with the exit code. */
    public record PrefixedLines(PrintStream out) implements Output {
    }

    /**
     * Appended to {@code file} by the OS, with no thread of ours in between: the benchmark counts this JVM's CPU as
     * the load generator's.
     */
    public record LogFile(Path file) implements Output {
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Output output;
    private final Process process;

    private ServiceProcess(String name, List<String> command, Map<String, String> environment, Output output,
                           Process process) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.output = output;
        this.process = process;
    }

    public static ServiceProcess start(String name, List<String> command, Output output) throws IOException {
        return start(name, command, Map.of(), output);
    }

    /** With {@code environment} added to this JVM's own (secrets go here, not on the command line, where ps shows them). */
    public static ServiceProcess start(String name, List<String> command, Map<String, String> environment,
                                       Output output) throws IOException {
        List<String> commandCopy = List.copyOf(command);
        Map<String, String> environmentCopy = Map.copyOf(environment);
        ProcessBuilder builder = new ProcessBuilder(commandCopy).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environmentCopy);
        if (output instanceof LogFile log) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
        }
        ServiceProcess started = new ServiceProcess(name, commandCopy, environmentCopy, output, builder.start());
        if (output instanceof PrefixedLines console) {
            started.copyOutputTo(console.out());
        }
        return started;
    }

    /** The same command, name, environment and output, as a new process (a restart after a kill). */
    public ServiceProcess restart() throws IOException {
        return start(name, command, environment, output);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the service shuts down gracefully (a worker drains, a master hands over leadership). */
    public void terminate() {
        // through the handle: Process.destroy() would also close our end of its output
        process.toHandle().destroy();
    }

    /** SIGKILL to this process alone, as a crash: what it started lives on, orphaned, as it would after one. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** SIGKILL to this process and every process it started: clean-up that leaves nothing behind. */
    public void killTree() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
    }

    public boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM, then SIGKILL if it has not exited within {@code grace}.
     *
     * @return whether it exited by itself within the grace period
     */
    public boolean stop(Duration grace) throws InterruptedException {
        terminate();
        if (awaitExit(grace)) {
            return true;
        }
        kill();
        awaitExit(KILLED_EXIT);
        return false;
    }

    private void copyOutputTo(PrintStream out) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    out.println("[" + name + "] " + line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "output-" + name);
        pump.setDaemon(true);
        pump.start();
        process.onExit().thenAccept(p -> out.println("[" + name + "] exited with code " + p.exitValue()));
    }
}
