package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExecutablePolicyTest {

    private static final List<String> DEFAULT_ALLOWLIST = List.of("echo", "sleep", "true", "false");

    private final ExecutablePolicy defaults = new ExecutablePolicy(DEFAULT_ALLOWLIST, false,
            ExecutablePolicy.DEFAULT_DIRECTORIES);

    @TempDir
    Path temp;

    @Test
    void allowsTheListedExecutables() {
        assertThat(defaults.refusal(List.of("echo", "hi"))).isEmpty();
        assertThat(defaults.refusal(List.of("sleep", "1"))).isEmpty();
    }

    @Test
    void refusesOthersAndSaysWhy() {
        assertThat(defaults.refusal(List.of("rm", "-rf", "/"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("'rm' is not allowed").contains("echo, false, sleep, true"));
        assertThat(defaults.resolve(List.of("rm", "-rf", "/")).isRefused()).isTrue();
    }

    @Test
    void refusesPathsEvenToAllowedNames() {
        assertThat(defaults.refusal(List.of("/tmp/echo"))).isPresent();
        assertThat(defaults.refusal(List.of("../bin/echo"))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../bin/sh", "/bin/sh", "./sh", "sh/..", "sh/", "", ".", "..", "bin\\sh", "sh\0",
            "/usr/bin/../bin/sh"})
    void refusesNamesThatAreNotOnePathElementEvenWhenTheShellIsAllowed(String name) {
        ExecutablePolicy policy = new ExecutablePolicy(List.of("sh"), false, ExecutablePolicy.DEFAULT_DIRECTORIES);
        assertThat(policy.refusal(List.of(name, "-c", "id"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("is not allowed"));
        ExecutablePolicy.Resolution resolution = policy.resolve(List.of(name, "-c", "id"));
        assertThat(resolution.isRefused()).isTrue();
        assertThat(resolution.executable()).isNull();
    }

    @Test
    void resolvesToAnAbsolutePathInTheConfiguredDirectories() {
        ExecutablePolicy.Resolution echo = defaults.resolve(List.of("echo", "hi"));
        assertThat(echo.isRefused()).isFalse();
        assertThat(echo.executable()).isAbsolute();
        assertThat(echo.executable().getFileName()).hasToString("echo");
        assertThat(ExecutablePolicy.DEFAULT_DIRECTORIES).contains(echo.executable().getParent());
    }

    @Test
    void findsAnExecutableOnlyInAConfiguredDirectory() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        script(bin.resolve("hello-zootask"), "echo hi");

        ExecutablePolicy configured = new ExecutablePolicy(List.of("hello-zootask"), false, List.of(bin));
        assertThat(configured.resolve(List.of("hello-zootask")).executable()).isEqualTo(bin.resolve("hello-zootask"));

        ExecutablePolicy notConfigured = new ExecutablePolicy(List.of("hello-zootask"), false,
                ExecutablePolicy.DEFAULT_DIRECTORIES);
        assertThat(notConfigured.resolve(List.of("hello-zootask")).refusal())
                .contains("no such executable").contains("PATH is not searched");
    }

    @Test
    void neverLooksAtTheWorkersPath() throws IOException {
        // echo is on this JVM's PATH, but not in the one configured directory
        assertThat(System.getenv("PATH")).isNotNull();
        assertThat(List.of(System.getenv("PATH").split(":"))).anySatisfy(dir ->
                assertThat(Path.of(dir, "echo")).isExecutable());
        Path bin = Files.createDirectory(temp.resolve("bin"));
        ExecutablePolicy policy = new ExecutablePolicy(List.of("echo"), false, List.of(bin));
        assertThat(policy.resolve(List.of("echo", "hi")).refusal()).contains("no such executable");
        ExecutablePolicy any = new ExecutablePolicy(List.of(), true, List.of(bin));
        assertThat(any.resolve(List.of("echo", "hi")).refusal()).contains("no such executable");
    }

    @Test
    void aLinkInAnAllowedDirectoryMayPointElsewhereButMustEndAtAnExecutableFile() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Path echo = defaults.resolve(List.of("echo")).executable().toRealPath();
        Files.createSymbolicLink(bin.resolve("link-echo"), echo);
        Files.createSymbolicLink(bin.resolve("link-dir"), Path.of("/usr"));
        Path data = Files.writeString(temp.resolve("data.txt"), "not a program");
        Files.createSymbolicLink(bin.resolve("link-data"), data);
        Files.createSymbolicLink(bin.resolve("dangling"), temp.resolve("nothing-here"));
        Files.createDirectory(bin.resolve("a-directory"));
        Files.setPosixFilePermissions(Files.writeString(bin.resolve("not-executable"), "#!/bin/sh\n"),
                PosixFilePermissions.fromString("rw-r--r--"));
        ExecutablePolicy policy = new ExecutablePolicy(List.of("link-echo", "link-dir", "link-data", "dangling",
                "a-directory", "not-executable"), false, List.of(bin));

        // started by its name in the trusted directory, so a multi-call program still sees the name it was called by
        assertThat(policy.resolve(List.of("link-echo")).executable()).isEqualTo(bin.resolve("link-echo"));
        for (String name : List.of("link-dir", "link-data", "dangling", "a-directory", "not-executable")) {
            assertThat(policy.resolve(List.of(name)).refusal()).as(name).contains("no such executable");
        }
    }

    @Test
    void looksInTheDirectoriesInTheirOrder() throws IOException {
        Path first = Files.createDirectory(temp.resolve("first"));
        Path second = Files.createDirectory(temp.resolve("second"));
        script(first.resolve("tool"), "echo first");
        script(second.resolve("tool"), "echo second");
        assertThat(new ExecutablePolicy(List.of("tool"), false, List.of(second, first)).resolve(List.of("tool"))
                .executable()).isEqualTo(second.resolve("tool"));
    }

    @Test
    void allowAnyIsExplicitAndStillTakesNoRelativePathsNorPathLookups() {
        ExecutablePolicy any = new ExecutablePolicy(List.of(), true, ExecutablePolicy.DEFAULT_DIRECTORIES);
        assertThat(any.refusal(List.of("uname", "-a"))).isEmpty();
        assertThat(any.resolve(List.of("uname", "-a")).executable()).isAbsolute();
        Path echo = defaults.resolve(List.of("echo")).executable();
        assertThat(any.resolve(List.of(echo.toString())).executable()).isEqualTo(echo);
        assertThat(any.resolve(List.of("./echo")).refusal()).contains("is not allowed");
        assertThat(any.resolve(List.of("../bin/echo")).refusal()).contains("is not allowed");
        assertThat(any.resolve(List.of("")).refusal()).contains("is not allowed");
        assertThat(any.resolve(List.of("/no/such/program")).refusal()).contains("no such executable file");
        assertThat(any.resolve(List.of("/usr")).refusal()).contains("no such executable file");
    }

    @Test
    void theBuiltinIsAlwaysAllowedButNeverStarted() {
        ExecutablePolicy none = new ExecutablePolicy(List.of(), false, ExecutablePolicy.DEFAULT_DIRECTORIES);
        assertThat(none.refusal(List.of(Builtins.NOOP))).isEmpty();
        assertThat(none.resolve(List.of(Builtins.NOOP)).isRefused()).isTrue();
    }

    @Test
    void anEmptyCommandIsRefused() {
        assertThat(defaults.refusal(List.of())).contains("the command is empty");
    }

    @Test
    void aConfigurationThatCannotBeRightStopsTheStart() {
        assertThatThrownBy(() -> new ExecutablePolicy(List.of("/bin/sh"), false, ExecutablePolicy.DEFAULT_DIRECTORIES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zootask.worker.allowed-executables").hasMessageContaining("'/bin/sh'");
        assertThatThrownBy(() -> new ExecutablePolicy(List.of(".."), false, ExecutablePolicy.DEFAULT_DIRECTORIES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExecutablePolicy(List.of("echo"), false, List.of(Path.of("bin"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zootask.worker.executable-directories").hasMessageContaining("absolute");
        assertThatThrownBy(() -> new ExecutablePolicy(List.of("echo"), false, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> new ExecutablePolicy(List.of("echo"), false, List.of(Path.of("/a:/b"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("':'");
    }

    static Path script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
