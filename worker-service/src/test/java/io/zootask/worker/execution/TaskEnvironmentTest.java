package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskEnvironmentTest {

    private final Map<String, String> worker = Map.of("LANG", "C.UTF-8", "TZ", "UTC", "SECRET", "hunter2",
            "PATH", "/home/someone/bin:/usr/bin", "HOME", "/root");

    @Test
    void onlyTheConfiguredVariablesAndTheWorkersOwn() {
        TaskEnvironment environment = new TaskEnvironment(List.of(Path.of("/opt/tools"), Path.of("/usr/bin")),
                List.of("LANG", "LC_ALL", "TZ"), Map.of("GREETING", "hello"), worker::get);
        Map<String, String> task = environment.forTask(Path.of("/tmp/zootask-tasks/w1-2"), "id-1");
        assertThat(task).containsExactlyInAnyOrderEntriesOf(Map.of(
                "LANG", "C.UTF-8", "TZ", "UTC", "GREETING", "hello",
                "PATH", "/opt/tools:/usr/bin",
                "HOME", "/tmp/zootask-tasks/w1-2", "TMPDIR", "/tmp/zootask-tasks/w1-2",
                "ZOOTASK_EXECUTION", "id-1"));
    }

    @Test
    void replacesWhateverWasThere() {
        Map<String, String> builders = new HashMap<>(worker);
        new TaskEnvironment(List.of(Path.of("/usr/bin")), List.of(), Map.of(), worker::get)
                .applyTo(builders, Path.of("/w"), "id");
        assertThat(builders).containsOnlyKeys("PATH", "HOME", "TMPDIR", "ZOOTASK_EXECUTION");
    }

    @Test
    void theWorkersOwnVariablesAndImpossibleNamesCannotBeConfigured() {
        List<Path> dirs = List.of(Path.of("/usr/bin"));
        for (String reserved : List.of("PATH", "HOME", "TMPDIR", "ZOOTASK_EXECUTION")) {
            assertThatThrownBy(() -> new TaskEnvironment(dirs, List.of(reserved), Map.of()))
                    .hasMessageContaining("zootask.worker.environment.pass-through").hasMessageContaining(reserved);
            assertThatThrownBy(() -> new TaskEnvironment(dirs, List.of(), Map.of(reserved, "x")))
                    .hasMessageContaining("zootask.worker.environment.set");
        }
        assertThatThrownBy(() -> new TaskEnvironment(dirs, List.of("A=B"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskEnvironment(dirs, List.of(""), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
