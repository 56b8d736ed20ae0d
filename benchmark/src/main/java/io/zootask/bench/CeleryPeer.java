package io.zootask.bench;

import io.zootask.localcluster.ServiceProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Celery with a Redis broker and result backend, from Debian's packages, on this machine: a private
 * {@code redis-server} (127.0.0.1, a free port, no persistence) and one prefork worker, each a child process with its
 * output in {@code bench/results/peer-*.log}. {@link #measure} runs the Python driver of
 * {@code benchmark/src/main/python/celery_peer}. {@link #close} stops all of it, and so does a shutdown hook if the
 * run is interrupted.
 */
final class CeleryPeer implements AutoCloseable {

    /** Debian's python, not whatever python3 comes first on PATH (a pyenv shim there has no celery). */
    static final String PYTHON = "/usr/bin/python3";
    static final String INSTALL = "sudo apt-get install -y python3-celery python3-redis redis-server";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration DRIVER_LIMIT = Duration.ofMinutes(15);

    /** One kind of task as the driver measured it. */
    record Measured(double tasksPerSecond, String celeryVersion) {
    }

    private final Path pythonDir;
    private final Path results;
    private final int redisPort;
    private final Map<String, String> environment;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private final Thread stopOnExit = new Thread(this::stopAll, "celery-peer-stop");

    private CeleryPeer(Path pythonDir, Path results, int redisPort) {
        this.pythonDir = pythonDir;
        this.results = results;
        this.redisPort = redisPort;
        // db 0 the broker's queues, db 1 the results: one server, as a small Celery deployment has it
        this.environment = Map.of("PEER_BROKER_URL", "redis://127.0.0.1:" + redisPort + "/0",
                "PEER_BACKEND_URL", "redis://127.0.0.1:" + redisPort + "/1",
                "PYTHONPATH", pythonDir.toString());
    }

    /** Why the peer cannot run here (a package missing), or empty when it can. */
    static Optional<String> missingPrerequisites() throws InterruptedException {
        if (findOnPath("redis-server").isEmpty()) {
            return Optional.of("redis-server is not installed");
        }
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return Optional.of(PYTHON + " is not installed");
        }
        try {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import celery, redis")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                probe.destroyForcibly();
                return Optional.of(PYTHON + " cannot import celery and redis");
            }
        } catch (IOException e) {
            return Optional.of(PYTHON + " does not run: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Redis, then a worker of {@code processes} prefork processes; the driver waits until the worker answers. */
    static CeleryPeer start(Path pythonDir, Path results, int processes) throws Exception {
        CeleryPeer peer = new CeleryPeer(pythonDir, results, freePort());
        Runtime.getRuntime().addShutdownHook(peer.stopOnExit);
        try {
            peer.startRedis();
            peer.startWorker(processes);
        } catch (Exception e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** {@code redis-server --version}'s version, e.g. 7.0.15. */
    static String redisVersion() throws Exception {
        Process version = new ProcessBuilder(findOnPath("redis-server").orElseThrow().toString(), "--version")
                .redirectErrorStream(true).start();
        String line = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        version.waitFor(30, TimeUnit.SECONDS);
        int v = line.indexOf("v=");
        return v < 0 ? line.trim() : line.substring(v + 2).split("\\s")[0];
    }

    /** {@code warmUp} tasks of {@code kind} (noop or process), then {@code tasks} of them timed to the last result. */
    Measured measure(String kind, int tasks, int warmUp) throws Exception {
        Path log = results.resolve("peer-celery-driver.log");
        ProcessBuilder builder = new ProcessBuilder(PYTHON, "peer_driver.py", "--kind", kind,
                "--count", String.valueOf(tasks), "--warmup", String.valueOf(warmUp))
                .directory(pythonDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process driver = builder.start();
        try (InputStream stdout = driver.getInputStream()) {
            String output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!driver.waitFor(DRIVER_LIMIT.toMillis(), TimeUnit.MILLISECONDS) || driver.exitValue() != 0) {
                throw new IllegalStateException("the Celery driver failed (" + kind + "), see " + log);
            }
            JsonNode measured = new ObjectMapper().readTree(output.substring(output.lastIndexOf('\n') + 1));
            return new Measured(measured.get("tasks_per_s").asDouble(), measured.get("celery_version").asString());
        } finally {
            driver.destroyForcibly();
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) stopAll itself
        }
    }

    // ---- processes --------------------------------------------------------------------------------------------------

    private void startRedis() throws Exception {
        // no persistence: Celery's queue and results live in memory, as zootask's ZooKeeper does not (it syncs its
        // log to disk); the comparison is the more generous to the peer for it
        processes.add(ServiceProcess.start("peer-redis", List.of(findOnPath("redis-server").orElseThrow().toString(),
                        "--port", String.valueOf(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", System.getProperty("java.io.tmpdir")),
                new ServiceProcess.LogFile(results.resolve("peer-redis.log"))));
        Await.until(() -> answersPing(redisPort), Duration.ofSeconds(30));
    }

    private void startWorker(int concurrency) throws IOException {
        processes.add(ServiceProcess.start("peer-celery-worker", List.of(PYTHON, "-m", "celery", "-A", "peer_tasks",
                        "worker", "--pool", "prefork", "--concurrency", String.valueOf(concurrency),
                        "--loglevel", "WARNING"), environment,
                new ServiceProcess.LogFile(results.resolve("peer-celery-worker.log"))));
    }

    /**
     * The worker first (SIGTERM: a warm shutdown that ends its pool), then Redis. The pool's processes are listed
     * before the stop, so that any left by a worker that had to be killed are killed too.
     */
    private synchronized void stopAll() {
        List<ServiceProcess> lastFirst = new ArrayList<>(processes);
        Collections.reverse(lastFirst);
        for (ServiceProcess process : lastFirst) {
            List<ProcessHandle> children = ProcessHandle.of(process.pid()).stream()
                    .flatMap(ProcessHandle::descendants).toList();
            try {
                if (process.isAlive()) {
                    process.stop(STOP_GRACE);
                }
            } catch (InterruptedException e) {
                process.killTree();
                Thread.currentThread().interrupt();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        processes.clear();
    }

    private static boolean answersPing(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2000); // a server still starting may not answer yet: ask again rather than hang
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[7];
            int read = socket.getInputStream().read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Optional<Path> findOnPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/usr/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
