package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutablePolicyTest {

    private final ExecutablePolicy defaults = new ExecutablePolicy(List.of("echo", "sleep", "true", "false"), false);

    @Test
    void allowsTheListedExecutables() {
        assertThat(defaults.refusal(List.of("echo", "hi"))).isEmpty();
        assertThat(defaults.refusal(List.of("sleep", "1"))).isEmpty();
    }

    @Test
    void refusesOthersAndSaysWhy() {
        assertThat(defaults.refusal(List.of("rm", "-rf", "/"))).hasValueSatisfying(reason ->
                assertThat(reason).contains("'rm' is not allowed").contains("echo, false, sleep, true"));
    }

    @Test
    void refusesPathsEvenToAllowedNames() {
        assertThat(defaults.refusal(List.of("/tmp/echo"))).isPresent();
        assertThat(defaults.refusal(List.of("../bin/echo"))).isPresent();
    }

    @Test
    void allowAnyIsExplicit() {
        assertThat(new ExecutablePolicy(List.of(), true).refusal(List.of("uname", "-a"))).isEmpty();
    }
}
