package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zootask.protocol.TaskState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {

    private static final List<String> DEFAULT_ALLOWLIST = List.of("echo", "sleep", "true", "false");
    private static final List<String> DEFAULT_PASS_THROUGH = List.of("LANG", "LC_ALL", "TZ");

    /** One per test JVM, as one per worker: the runners of these tests share it. */
    private static final TaskGuardian GUARDIAN = TaskGuardian.start();

    @TempDir
    Path temp;

    /** The executables these tests need besides the defaults; a worker allows none of them unless configured. */
    private ProcessRunner runner(int maxOutput, String... extra) {
        return runner(maxOutput, ExecutablePolicy.DEFAULT_DIRECTORIES, DEFAULT_PASS_THROUGH, Map.of(), extra);
    }

    private ProcessRunner runner(int maxOutput, List<Path> directories, List<String> passThrough,
                                 Map<String, String> set, String... extra) {
        List<String> allowed = new java.util.ArrayList<>(DEFAULT_ALLOWLIST);
        allowed.addAll(List.of(extra));
        ExecutablePolicy policy = new ExecutablePolicy(allowed, false, directories);
        return new ProcessRunner(policy, new TaskEnvironment(directories, passThrough, set),
                new WorkDirectories(workRoot()), maxOutput, Clock.systemUTC(), GUARDIAN);
    }

    /**
     * Runs each {@code sh -c} command as a task, all at once (so that they end together and share sweeps), each
     * printing the pid of what it leaves behind; every one must end done. The pids printed.
     */
    private static Set<Long> runTogetherAndCollectPids(ProcessRunner runner, List<String> commands) throws Exception {
        List<CompletableFuture<ExecutionResult>> ending = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(
                commands.size());
        try {
            for (String command : commands) {
                ending.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return runner.run(List.of("sh", "-c", command), Duration.ofSeconds(60));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            Set<Long> pids = new HashSet<>();
            for (CompletableFuture<ExecutionResult> task : ending) {
                ExecutionResult result = task.get(30, TimeUnit.SECONDS);
                assertThat(result.state()).isEqualTo(TaskState.DONE);
                pids.add(Long.parseLong(result.output().strip()));
            }
            return pids;
        } finally {
            threads.shutdown();
        }
    }

    private Path workRoot() {
        return temp.resolve("tasks");
    }

    /** What tasks leave in the root: nothing but empty directories kept for later tasks. */
    private void assertNothingLeftBehind() throws IOException {
        try (Stream<Path> entries = Files.list(workRoot())) {
            assertThat(entries.toList()).allSatisfy(entry -> assertThat(entry).isEmptyDirectory());
        }
    }

    @Test
    void theDefaultAllowlistRunsWithTheDefaultDirectories() throws Exception {
        ProcessRunner runner = runner(1024);
        ExecutionResult ok = runner.run(List.of("echo", "hello", "world"), Duration.ofSeconds(10));
        assertThat(ok.state()).isEqualTo(TaskState.DONE);
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.output()).isEqualTo("hello world\n");
        assertThat(ok.outputTruncated()).isFalse();

        assertThat(runner.run(List.of("true"), Duration.ofSeconds(10)).state()).isEqualTo(TaskState.DONE);
        assertThat(runner.run(List.of("sleep", "0.1"), Duration.ofSeconds(10)).state()).isEqualTo(TaskState.DONE);
        ExecutionResult failed = runner.run(List.of("false"), Duration.ofSeconds(10));
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.message()).isEqualTo("exited with code 1");
        assertNothingLeftBehind();
    }

    @Test
    void startsNothingOnceTheCallerHasGivenUpItsWork() throws Exception {
        ProcessRunner runner = runner(1024, "touch");
        Path witness = temp.resolve("started");
        ExecutionResult result = runner.run(List.of("touch", witness.toString()), Duration.ofSeconds(10),
                Duration.ofSeconds(10), () -> true, () -> false);
        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.message()).contains("not started");
        assertThat(witness).doesNotExist();
        assertNothingLeftBehind();
    }

    @Test
    void refusesWhatIsNotAllowlistedWithoutStartingAnything() throws Exception {
        ProcessRunner runner = runner(1024);
        ExecutionResult result = runner.run(List.of("rm", "-rf", temp.toString()), Duration.ofSeconds(10));
        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.exitCode()).isNull();
        assertThat(result.message()).contains("'rm' is not allowed");
        assertThat(temp).isDirectory();
        assertNothingLeftBehind();
    }

    @Test
    void refusesPathEscapingNamesEvenToAnAllowedShell() throws Exception {
        ProcessRunner runner = runner(1024, "sh");
        for (String name : List.of("../bin/sh", "/bin/sh", "./sh", "sh/..", "", "..", "/usr/bin/../bin/sh")) {
            ExecutionResult result = runner.run(List.of(name, "-c", "echo escaped"), Duration.ofSeconds(10));
            assertThat(result.state()).as(name).isEqualTo(TaskState.FAILED);
            assertThat(result.message()).as(name).contains("is not allowed");
            assertThat(result.output()).as(name).isNull();
        }
        assertNothingLeftBehind();
    }

    @Test
    void runsAnExecutableFromAConfiguredDirectoryAndNotWhenItIsNotConfigured() throws Exception {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        ExecutablePolicyTest.script(bin.resolve("hello-zootask"), "echo \"hello from $0\"");

        ExecutionResult ran = runner(1024, List.of(bin), List.of(), Map.of(), "hello-zootask")
                .run(List.of("hello-zootask"), Duration.ofSeconds(10));
        assertThat(ran.state()).isEqualTo(TaskState.DONE);
        assertThat(ran.output()).isEqualTo("hello from " + bin.resolve("hello-zootask") + "\n");

        ExecutionResult notFound = runner(1024, "hello-zootask").run(List.of("hello-zootask"), Duration.ofSeconds(10));
        assertThat(notFound.state()).isEqualTo(TaskState.FAILED);
        assertThat(notFound.message()).contains("no such executable").contains("PATH is not searched");

        // echo is on this JVM's PATH, but not in the configured directory: not found either
        ExecutionResult echo = runner(1024, List.of(bin), List.of(), Map.of(), "hello-zootask")
                .run(List.of("echo", "hi"), Duration.ofSeconds(10));
        assertThat(echo.state()).isEqualTo(TaskState.FAILED);
        assertThat(echo.message()).contains("no such executable");
    }

    @Test
    void theEnvironmentIsOnlyWhatIsConfigured() throws Exception {
        Set<String> ownOrDefault = Set.of("PATH", "HOME", "TMPDIR", "ZOOTASK_EXECUTION", "LANG", "LC_ALL", "TZ");
        List<String> candidates = System.getenv().entrySet().stream()
                .filter(e -> !ownOrDefault.contains(e.getKey()) && e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")
                        && !e.getValue().contains("\n") && !e.getValue().isEmpty())
                .map(Map.Entry::getKey).sorted().toList();
        assertThat(candidates).as("this JVM's environment").hasSizeGreaterThanOrEqualTo(2);
        String passed = candidates.get(0);
        List<String> passThrough = List.of("LANG", "LC_ALL", "TZ", passed);

        ExecutionResult result = runner(1024, ExecutablePolicy.DEFAULT_DIRECTORIES, passThrough,
                Map.of("ZOOTASK_FIXED", "a fixed value"), "env").run(List.of("env"), Duration.ofSeconds(10));

        assertThat(result.state()).isEqualTo(TaskState.DONE);
        Map<String, String> seen = parseEnv(result.output());
        Set<String> expected = new HashSet<>(Set.of("PATH", "HOME", "TMPDIR", "ZOOTASK_EXECUTION", "ZOOTASK_FIXED",
                passed));
        passThrough.stream().filter(name -> System.getenv(name) != null).forEach(expected::add);
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(seen).containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
                .containsEntry("ZOOTASK_FIXED", "a fixed value")
                .containsEntry(passed, System.getenv(passed));
        for (String notPassed : candidates.subList(1, candidates.size())) {
            assertThat(seen).doesNotContainKey(notPassed);
        }
        assertThat(seen.get("HOME")).isNotEqualTo(System.getenv("HOME"));
    }

    @Test
    void eachTaskRunsInAFreshPrivateDirectoryThatIsRemovedAfterwards() throws Exception {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        ProcessRunner runner = runner(4096, "sh");
        String script = "pwd; echo \"$HOME\"; echo \"$TMPDIR\"; ls -A | wc -l; stat -c %a .;"
                + " mkdir -p a/b/c && echo x > a/b/c/f && ln -s '" + outside + "' out && ln -s '" + precious
                + "' a/p && chmod 000 a/b";
        ExecutionResult result = runner.run(List.of("sh", "-c", script), Duration.ofSeconds(10));

        assertThat(result.state()).as(result.message()).isEqualTo(TaskState.DONE);
        List<String> lines = result.output().lines().toList();
        Path directory = Path.of(lines.get(0));
        assertThat(directory.getParent()).isEqualTo(workRoot().toRealPath());
        assertThat(lines.get(1)).as("HOME").isEqualTo(directory.toString());
        assertThat(lines.get(2)).as("TMPDIR").isEqualTo(directory.toString());
        assertThat(lines.get(3)).as("entries at start").isEqualTo("0");
        assertThat(lines.get(4)).as("permissions").isEqualTo("700");

        assertThat(Files.exists(directory, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(precious).hasContent("keep me");
        assertThat(workRoot()).isEmptyDirectory();

        ExecutionResult again = runner.run(List.of("sh", "-c", "pwd"), Duration.ofSeconds(10));
        assertThat(Path.of(again.output().strip())).isNotEqualTo(directory);
    }

    @Test
    void aDirectoryLeftEmptyServesALaterTaskAndOneWithFilesOrOpenedUpIsRemoved() throws Exception {
        ProcessRunner runner = runner(4096, "sh");
        Path first = Path.of(runner.run(List.of("sh", "-c", "pwd"), Duration.ofSeconds(10)).output().strip());

        ExecutionResult reused = runner.run(List.of("sh", "-c", "pwd; ls -A | wc -l; stat -c %a .; echo x > f"),
                Duration.ofSeconds(10));
        List<String> lines = reused.output().lines().toList();
        assertThat(Path.of(lines.get(0))).as("an empty directory is reused").isEqualTo(first);
        assertThat(lines.get(1)).as("entries at start").isEqualTo("0");
        assertThat(lines.get(2)).as("permissions").isEqualTo("700");
        assertThat(Files.exists(first, LinkOption.NOFOLLOW_LINKS)).as("removed: the task left a file").isFalse();

        Path opened = Path.of(runner.run(List.of("sh", "-c", "pwd; chmod 755 ."), Duration.ofSeconds(10))
                .output().lines().findFirst().orElseThrow());
        assertThat(opened).isNotEqualTo(first);
        assertThat(Files.exists(opened, LinkOption.NOFOLLOW_LINKS)).as("removed: no longer rwx------").isFalse();

        ExecutionResult fresh = runner.run(List.of("sh", "-c", "pwd; ls -A | wc -l; stat -c %a ."),
                Duration.ofSeconds(10));
        assertThat(fresh.output().lines().skip(1).toList()).containsExactly("0", "700");
        assertNothingLeftBehind();

        runner.close();
        assertThat(workRoot()).as("idle directories go when the worker stops").isEmptyDirectory();
    }

    @Test
    void timeoutKillsTheWholeProcessTreeAndRemovesTheDirectory() throws Exception {
        // two background children and the shell itself; each says its pid
        ExecutionResult result = runner(4096, "sh").run(List.of("sh", "-c",
                        "sleep 300 & echo $!; sleep 300 & echo $!; echo $$; pwd; wait"), Duration.ofSeconds(2));

        assertThat(result.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(result.message()).contains("timed out after 2s");
        List<String> lines = result.output().lines().toList();
        assertThat(lines).hasSize(4);
        List<Long> pids = lines.subList(0, 3).stream().map(Long::parseLong).toList();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pids).noneMatch(ProcessRunnerTest::alive));
        assertThat(Files.exists(Path.of(lines.get(3)), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void timeoutAlsoKillsWhatWasReParentedAwayFromTheTree() throws Exception {
        // the inner shell exits at once: its sleep is an orphan, no longer a descendant of the task's process
        ExecutionResult result = runner(4096, "sh").run(List.of("sh", "-c",
                "sh -c 'sleep 301 >/dev/null 2>&1 & echo $!'; echo $$; sleep 302"), Duration.ofSeconds(2));

        assertThat(result.state()).isEqualTo(TaskState.TIMED_OUT);
        List<Long> pids = result.output().lines().map(Long::parseLong).toList();
        assertThat(pids).hasSize(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pids).noneMatch(ProcessRunnerTest::alive));
    }

    @Test
    void whatATaskLeavesBehindInTheBackgroundDiesWithIt() throws Exception {
        ProcessRunner runner = runner(4096, "sh");
        // one keeps the output open, the other does not
        ExecutionResult result = runner.run(List.of("sh", "-c",
                "sleep 303 & echo $!; sleep 304 >/dev/null 2>&1 & echo $!"), Duration.ofSeconds(60));

        assertThat(result.state()).isEqualTo(TaskState.DONE);
        assertThat(Duration.between(result.startedAt(), result.finishedAt())).isLessThan(Duration.ofSeconds(5));
        List<Long> pids = result.output().lines().map(Long::parseLong).toList();
        assertThat(pids).hasSize(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pids).noneMatch(ProcessRunnerTest::alive));
        assertNothingLeftBehind();
    }

    @Test
    void aLeftoverInASessionOfItsOwnDiesWithTheTaskToo() throws Exception {
        // what process groups or sessions could not promise: setsid leaves both, the execution's id stays
        ExecutionResult result = runner(4096, "sh").run(List.of("sh", "-c",
                "setsid sleep 306 >/dev/null 2>&1 & echo $!"), Duration.ofSeconds(60));

        assertThat(result.state()).isEqualTo(TaskState.DONE);
        long pid = Long.parseLong(result.output().strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
    }

    @Test
    void tasksEndingTogetherEachLoseWhatTheyLeftBehindAndNothingElse() throws Exception {
        // one sweep of /proc serves the tasks that end together: it must find each one's leftovers, and must not
        // touch the processes of a task still running
        ProcessRunner runner = runner(4096, "sh");
        String marker = marker();
        CompletableFuture<ExecutionResult> stillRunning = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                        Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).size() >= 2);

        List<String> commands = java.util.Collections.nCopies(12, "sleep 305 >/dev/null 2>&1 & echo $!");
        Set<Long> leftBehind = runTogetherAndCollectPids(runner, commands);

        assertThat(leftBehind).hasSize(12);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(leftBehind).noneMatch(ProcessRunnerTest::alive));
        assertThat(stillRunning).isNotDone();
        assertThat(withMarker(marker)).hasSizeGreaterThanOrEqualTo(2);
        runner.close();
        assertThat(stillRunning.get(20, TimeUnit.SECONDS).state()).isEqualTo(TaskState.FAILED);
    }

    @Test
    void leftoversCaughtInTheMiddleOfAnExecAreStillKilled() throws Exception {
        // a process reads as having no environment while it execs: a sweep that meets one then must look again
        Path execLoop = temp.resolve("exec-loop.sh");
        Files.writeString(execLoop, """
                n=${2:-0}
                [ "$n" = 1 ] && : > "$1"
                [ "$n" -lt 300 ] && exec /bin/sh "$0" "$1" $((n + 1))
                exec sleep 306
                """);
        ProcessRunner runner = runner(4096, "sh");
        List<String> commands = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            // each task ends once its leftover is exec-ing in a loop, which it then does for a while
            Path looping = temp.resolve("looping-" + i);
            commands.add("/bin/sh " + execLoop + " " + looping + " >/dev/null 2>&1 & echo $!; "
                    + "while [ ! -e " + looping + " ]; do sleep 0.01; done");
        }
        Set<Long> leftBehind = runTogetherAndCollectPids(runner, commands);

        try {
            assertThat(leftBehind).hasSize(16);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(leftBehind).noneMatch(ProcessRunnerTest::alive));
        } finally {
            leftBehind.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            runner.close();
        }
    }

    @Test
    void killAllKillsTheTreesOfRunningTasksWhenTheWorkerStops() throws Exception {
        ProcessRunner runner = runner(4096, "sh");
        String marker = marker();
        CompletableFuture<ExecutionResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                        Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).size() >= 2);

        runner.close();

        ExecutionResult result = running.get(20, TimeUnit.SECONDS);
        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).isEmpty());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(workRoot()).isEmptyDirectory());
        assertThat(runner.running()).isZero();
    }

    @Test
    void aCancelKillsTheWholeTreeAtOnceAndSaysCancelled() throws Exception {
        ProcessRunner runner = runner(4096, "sh");
        String marker = marker();
        Cancellation cancellation = new Cancellation();
        CompletableFuture<ExecutionResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                        Duration.ofMinutes(5), Duration.ofMinutes(5), () -> true, () -> true, cancellation);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).size() >= 2);

        long begin = System.nanoTime();
        cancellation.cancel();
        ExecutionResult result = running.get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));
        assertThat(result.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(result.startedAt()).isNotNull();
        assertThat(withMarker(marker)).isEmpty();
        assertNothingLeftBehind();
    }

    @Test
    void aCancelBeforeTheStartStartsNothing() throws Exception {
        Path witness = temp.resolve("witness");
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();

        ExecutionResult result = runner(4096, "touch").run(List.of("touch", witness.toString()),
                Duration.ofSeconds(10), Duration.ofSeconds(10), () -> true, () -> true, cancellation);

        assertThat(result.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(result.startedAt()).isNull();
        assertThat(witness).doesNotExist();
    }

    @Test
    void anInterruptedRunKillsTheTreeAndRemovesTheDirectory() throws Exception {
        ProcessRunner runner = runner(4096, "sh");
        String marker = marker();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                runner.run(List.of("sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"),
                        Duration.ofMinutes(5));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        thread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).size() >= 2);

        thread.interrupt();
        thread.join(20_000);

        assertThat(thread.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> withMarker(marker).isEmpty());
        assertNothingLeftBehind();
    }

    @Test
    void outputIsBoundedWhileTheTaskRuns() throws Exception {
        int maxOutput = 64 * 1024;
        ExecutionResult result = runner(maxOutput, "head").run(List.of("head", "-c", "50000000", "/dev/zero"),
                Duration.ofSeconds(60));
        assertThat(result.state()).isEqualTo(TaskState.DONE);
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.output()).hasSize(maxOutput);
        assertThat(result.output().chars()).allMatch(c -> c == 0);
    }

    @Test
    void keepsOnlyTheTailOfLargeOutput() throws Exception {
        ExecutionResult result = runner(1024, "seq").run(List.of("seq", "1", "100000"), Duration.ofSeconds(30));
        assertThat(result.state()).isEqualTo(TaskState.DONE);
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.output().length()).isLessThanOrEqualTo(1024);
        assertThat(result.output()).endsWith("99999\n100000\n");
    }

    @Test
    void unknownExecutableFailsWithAClearMessage() throws Exception {
        ExecutionResult result = runner(1024, "no-such-program-zootask")
                .run(List.of("no-such-program-zootask"), Duration.ofSeconds(5));
        assertThat(result.state()).isEqualTo(TaskState.FAILED);
        assertThat(result.message()).contains("no such executable").contains("/usr/bin");
    }

    private static Map<String, String> parseEnv(String output) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static String marker() {
        return "31" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
    }

    private static List<ProcessHandle> withMarker(String marker) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains("sleep " + marker))
                .collect(Collectors.toList());
    }

    /** Running or runnable: a zombie (killed, not yet reaped by whoever is its parent now) is dead. */
    static boolean alive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc"))) {
            try {
                String text = Files.readString(stat);
                char state = text.charAt(text.lastIndexOf(')') + 2);
                return state != 'Z' && state != 'X';
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
