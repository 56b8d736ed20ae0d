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
 * @param retryAfter        what a 503 or 429 tells the client to wait
 * @param maxQueued         tasks waiting in {@code /tasks} above which submissions are refused (429): ZooKeeper
 *                          holds coordination data, not a backlog, and a child list near 1 MB breaks getChildren
 * @param maxIdempotencyKeyLength longest accepted {@code Idempotency-Key}
 * @param maxListReads      tasks one {@code GET /tasks} page may read: a filter (a state, or a submit key's own
 *                          tasks) that matches little would otherwise read every retained task per request; a page
 *                          that stops there is shorter and carries {@code nextCursor}
 * @param maxBatchBodySize  largest body of a batch ({@code POST /tasks} with a JSON array); larger answers 413. A
 *                          batch is written in ONE ZooKeeper transaction, which must stay under ZooKeeper's 1 MB
 *                          request limit ({@code jute.maxbuffer}) with the ~250 bytes each task gains on its way
 *                          there: 512 KB leaves room for that on 1 000 tasks, and a batch that still would not fit is
 *                          refused (413) before anything is written
 */
@ConfigurationProperties("zootask.gateway")
public record GatewayProperties(@DefaultValue("64KB") DataSize maxBodySize,
                                @DefaultValue("256") int maxArguments,
                                @DefaultValue("4096") int maxArgumentLength,
                                @DefaultValue("604800") int maxTimeoutSeconds,
                                @DefaultValue("60s") Duration maxWait,
                                @DefaultValue("50") int defaultPageSize,
                                @DefaultValue("500") int maxPageSize,
                                @DefaultValue("5s") Duration retryAfter,
                                @DefaultValue("10000") int maxQueued,
                                @DefaultValue("255") int maxIdempotencyKeyLength,
                                @DefaultValue("2000") int maxListReads,
                                @DefaultValue("512KB") DataSize maxBatchBodySize) {
}
