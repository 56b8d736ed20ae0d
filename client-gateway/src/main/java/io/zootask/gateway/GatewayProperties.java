package io.zootask.gateway;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code zootask.gateway.*}: the limits on what a client may send.
 *
 * @param maxBodySize       largest request body; larger answers 413
 * @param maxArguments      most command arguments, the executable included
 * @param maxArgumentLength longest single argument, in characters
 * @param maxTimeoutSeconds largest {@code timeoutSeconds} a task may ask for
 * @param maxWait           longest long-poll ({@code waitSeconds})
 * @param defaultPageSize   {@code GET /tasks} page size when no {@code limit} is given
 * @param maxPageSize       largest {@code limit}
 * @param retryAfter        what a 503 tells the client to wait while ZooKeeper is unreachable
 */
@ConfigurationProperties("zootask.gateway")
public record GatewayProperties(@DefaultValue("64KB") DataSize maxBodySize,
                                @DefaultValue("256") int maxArguments,
                                @DefaultValue("4096") int maxArgumentLength,
                                @DefaultValue("604800") int maxTimeoutSeconds,
                                @DefaultValue("60s") Duration maxWait,
                                @DefaultValue("50") int defaultPageSize,
                                @DefaultValue("500") int maxPageSize,
                                @DefaultValue("5s") Duration retryAfter) {
}
