package io.zootask.gateway;

import io.zootask.protocol.spring.ExitWhenStdinCloses;
import io.zootask.protocol.spring.ZooKeeperClientConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The REST face of zootask: tasks in as {@code /tasks} znodes, results out of {@code /status}.
 *
 * <p>Callers authenticate with API keys ({@code io.zootask.gateway.security}), never with users and passwords: Boot's
 * generated default user (and the password it would log) is switched off.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
@Import({ZooKeeperClientConfiguration.class, ExitWhenStdinCloses.class})
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}
