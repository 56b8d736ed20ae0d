package io.zootask.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WorkerPropertiesTest {

    private static WorkerProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("zootask.worker", WorkerProperties.class);
    }

    @Test
    void defaults() {
        WorkerProperties properties = bind(Map.of());
        assertThat(properties.allowedExecutables()).containsExactly("echo", "sleep", "true", "false");
        assertThat(properties.allowAnyExecutable()).isFalse();
        assertThat(properties.executableDirectories())
                .containsExactly(Path.of("/usr/local/bin"), Path.of("/usr/bin"), Path.of("/bin"));
        assertThat(properties.environment().passThrough()).containsExactly("LANG", "LC_ALL", "TZ");
        assertThat(properties.environment().set()).isEmpty();
        assertThat(properties.workRoot()).isNull();
    }

    @Test
    void overrides() {
        WorkerProperties properties = bind(Map.of(
                "zootask.worker.executable-directories", "/opt/tools/bin,/usr/bin",
                "zootask.worker.environment.pass-through", "LANG,JAVA_HOME",
                "zootask.worker.environment.set.[LC_ALL]", "C.UTF-8",
                "zootask.worker.environment.set.[MY_VAR]", "x y",
                "zootask.worker.work-root", "/var/tmp/zootask"));
        assertThat(properties.executableDirectories()).containsExactly(Path.of("/opt/tools/bin"), Path.of("/usr/bin"));
        assertThat(properties.environment().passThrough()).isEqualTo(List.of("LANG", "JAVA_HOME"));
        assertThat(properties.environment().set()).isEqualTo(Map.of("LC_ALL", "C.UTF-8", "MY_VAR", "x y"));
        assertThat(properties.workRoot()).isEqualTo(Path.of("/var/tmp/zootask"));
    }
}
