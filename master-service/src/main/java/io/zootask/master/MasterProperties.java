package io.zootask.master;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zootask.master.*}.
 *
 * @param name        this master's id in the election and in {@code /master}; defaults to {@code host-pid}
 * @param maxAttempts how many executions a task may lose to dead workers before it fails with "worker lost", for
 *                    tasks that do not set their own {@code maxAttempts}
 */
@ConfigurationProperties("zootask.master")
public record MasterProperties(String name, @DefaultValue("3") int maxAttempts) {
}
