package io.zootask.localcluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * The argument that makes a zootask service end when its stdin closes ({@code ExitWhenStdinCloses} in
     * zootask-protocol, which this launcher module does not depend on).
     */
    static final String EXIT_WHEN_STDIN_CLOSES = "--zootask.exit-when-stdin-closes=true";

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Output output;
    private final boolean tiedToThisJvm;
    private final Process process;

    private ServiceProcess(String name, List<String> command, Map<String, String> environment, Output output,
                           boolean tiedToThisJvm, Process process) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.output = output;
        this.tiedToThisJvm = tiedToThisJvm;
        this.process = process;
    }

    public static ServiceProcess start(String name, List<String> command, Output output) throws IOException {
        return start(name, command, Map.of(), output);
    }

    /** With {@code environment} added to this JVM's own (secrets go here, not on the command line, where ps shows them). */
    public static ServiceProcess start(String name, List<String> command, Map<String, String> environment,
                                       Output output) throws IOException {
        return start(name, command, environment, output, false);
    }

    /**
     * A zootask service that ends when this JVM ends, however this JVM ends ({@code kill -9} included): its stdin is
     * a pipe from this JVM, never written to, and it is told to shut down when that pipe closes, which the kernel
     * does when this JVM exits. {@code command} must run a zootask service's jar, its arguments last.
     */
    public static ServiceProcess startTiedToThisJvm(String name, List<String> command,
                                                    Map<String, String> environment, Output output)
            throws IOException {
        return start(name, command, environment, output, true);
    }

    private static ServiceProcess start(String name, List<String> command, Map<String, String> environment,
                                        Output output, boolean tiedToThisJvm) throws IOException {
        List<String> commandCopy = List.copyOf(command);
        Map<String, String> environmentCopy = Map.copyOf(environment);
        List<String> launched = new ArrayList<>(commandCopy);
        if (tiedToThisJvm) {
            launched.add(EXIT_WHEN_STDIN_CLOSES);
        }
        ProcessBuilder builder = new ProcessBuilder(launched).redirectErrorStream(true)
                .redirectInput(tiedToThisJvm ? ProcessBuilder.Redirect.PIPE
                        : ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environmentCopy);
        if (output instanceof LogFile log) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
        }
        // the Process keeps our end of the stdin pipe open for as long as this ServiceProcess is reachable
        ServiceProcess started = new ServiceProcess(name, commandCopy, environmentCopy, output, tiedToThisJvm,
                builder.start());
        if (output instanceof PrefixedLines console) {
            started.copyOutputTo(console.out());
        }
        return started;
    }

    /** The same command, name, environment, output and tie, as a new process (a restart after a kill). */
    public ServiceProcess restart() throws IOException {
        return start(name, command, environment, output, tiedToThisJvm);
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
