package io.zootask.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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
        assertThat(properties.labels()).isEmpty();
        assertThat(properties.reserved()).isFalse();
    }

    @Test
    void labelsFromTheCommandLine() {
        WorkerProperties properties = bind(Map.of("zootask.worker.labels.pool", "gpu",
                "zootask.worker.labels.zone", "eu-west-1", "zootask.worker.reserved", "true"));
        assertThat(properties.labels()).isEqualTo(Map.of("pool", "gpu", "zone", "eu-west-1"));
        assertThat(properties.reserved()).isTrue();
    }

    @Test
    void labelsFromTheEnvironment() {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of("ZOOTASK_WORKER_LABELS_POOL", "gpu",
                "ZOOTASK_WORKER_RESERVED", "true")));
        WorkerProperties properties = new Binder(ConfigurationPropertySources.from(sources))
                .bindOrCreate("zootask.worker", WorkerProperties.class);
        assertThat(properties.labels()).isEqualTo(Map.of("pool", "gpu"));
        assertThat(properties.reserved()).isTrue();
    }

    @Test
    void badLabelsStopTheStartWithTheirName() {
        assertThatThrownBy(() -> bind(Map.of("zootask.worker.labels.pool", " ")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("zootask.worker.labels.pool");
        assertThatThrownBy(() -> bind(Map.of("zootask.worker.labels.[a b]", "x")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("'a b' is not a label name");
        assertThatThrownBy(() -> bind(Map.of("zootask.worker.labels.pool", "x".repeat(64))))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("is not a label value");
        assertThatThrownBy(() -> bind(Map.of("zootask.worker.reserved", "true")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("needs zootask.worker.labels");
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
