package io.zootask.localcluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service JVM started by the launcher, its output copied line by line behind a {@code [name]} prefix. */
final class ChildProcess {

    private final String name;
    private final Process process;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static ChildProcess start(String name, List<String> command, PrintStream out) throws IOException {
        return start(name, command, Map.of(), out);
    }

    /** With {@code environment} added to the launcher's own (secrets go here, not on the command line). */
    static ChildProcess start(String name, List<String> command, Map<String, String> environment, PrintStream out)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        ChildProcess child = new ChildProcess(name, process);
        Thread pump = new Thread(() -> child.copyOutput(out), "output-" + name);
        pump.setDaemon(true);
        pump.start();
        process.onExit().thenAccept(p -> out.println("[" + name + "] exited with code " + p.exitValue()));
        return child;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM: the service shuts down gracefully (a worker drains, a master hands over leadership). */
    void terminate() {
        process.destroy();
    }

    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void copyOutput(PrintStream out) {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.println("[" + name + "] " + line);
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
