package io.zootask.protocol.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zootask.protocol.ZooKeeperAuth;
import io.zootask.protocol.ZooKeeperClients;
import io.zootask.protocol.ZooKeeperSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code zootask.zookeeper.*} as Spring binds it: from application.yml-style keys and from environment variables. */
class ZooKeeperPropertiesTest {

    @Test
    void withoutCredentialsItIsOpenMode() {
        ZooKeeperProperties properties = bind(Map.of());
        assertThat(properties.toSettings().secured()).isFalse();
        assertThat(properties.auth().lockRoot()).isTrue();
        assertThat(properties.clientProperties()).isEmpty();
    }

    @Test
    void environmentVariablesAsDockerComposeSetsThem() {
        String admin = ZooKeeperAuth.digestOf("admin:admin-secret");
        ZooKeeperProperties properties = bindEnvironment(Map.of(
                "ZOOTASK_ZOOKEEPER_AUTH_USERNAME", "zootask",
                "ZOOTASK_ZOOKEEPER_AUTH_PASSWORD", "s3cret",
                "ZOOTASK_ZOOKEEPER_AUTH_ADMINDIGEST", admin,
                "ZOOTASK_ZOOKEEPER_CLIENTPROPERTIES_ZOOKEEPER_CLIENT_SECURE", "true",
                "ZOOTASK_ZOOKEEPER_CLIENTPROPERTIES_ZOOKEEPER_SSL_TRUSTSTORE_LOCATION", "/certs/trust.p12"));

        ZooKeeperSettings settings = properties.toSettings();
        assertThat(settings.auth()).isEqualTo(new ZooKeeperAuth("zootask", "s3cret", admin));
        assertThat(ZooKeeperClients.canonicalClientProperties(settings.clientProperties())).isEqualTo(Map.of(
                "zookeeper.client.secure", "true", "zookeeper.ssl.trustStore.location", "/certs/trust.p12"));
        assertThat(properties.toString()).doesNotContain("s3cret").doesNotContain(admin);
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void applicationYmlKeysKeepTheirSpellingInBrackets() {
        ZooKeeperProperties properties = bind(Map.of(
                "zootask.zookeeper.auth.username", "zootask",
                "zootask.zookeeper.auth.password", "s3cret",
                "zootask.zookeeper.auth.lock-root", "false",
                "zootask.zookeeper.client-properties.[zookeeper.clientCnxnSocket]",
                "org.apache.zookeeper.ClientCnxnSocketNetty",
                "zootask.zookeeper.client-properties.[zookeeper.ssl.keyStore.password]", "store-secret"));

        assertThat(properties.auth().lockRoot()).isFalse();
        assertThat(properties.clientProperties()).containsEntry("zookeeper.clientCnxnSocket",
                "org.apache.zookeeper.ClientCnxnSocketNetty");
        assertThat(properties.toString()).doesNotContain("s3cret", "store-secret");
    }

    @Test
    void halfConfiguredCredentialsAreRefusedWithTheirPropertyNames() {
        assertThatThrownBy(() -> bind(Map.of("zootask.zookeeper.auth.password", "s3cret")).toSettings())
                .hasMessageContaining("zootask.zookeeper.auth.username");
        assertThatThrownBy(() -> bind(Map.of("zootask.zookeeper.auth.username", "zootask")).toSettings())
                .hasMessageContaining("zootask.zookeeper.auth.password");
    }

    private static ZooKeeperProperties bind(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return bind(environment);
    }

    private static ZooKeeperProperties bindEnvironment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return bind(environment);
    }

    private static ZooKeeperProperties bind(StandardEnvironment environment) {
        return new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("zootask.zookeeper", ZooKeeperProperties.class);
    }
}
