package io.zootask.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zootask.gateway.GatewayProperties;
import io.zootask.gateway.errors.PayloadTooLargeException;
import io.zootask.protocol.IdempotencyRecord;
import io.zootask.protocol.ProtocolCodec;
import io.zootask.protocol.ZNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default batch body limit is chosen so that a batch always fits in one ZooKeeper transaction: checked here on
 * the largest batch it lets through, with every option a task may carry, as the gateway would store it.
 */
class OneTransactionTest {

    private static final GatewayProperties DEFAULTS = new GatewayProperties(DataSize.ofKilobytes(64), 256, 4096,
            604800, Duration.ofSeconds(60), 50, 500, Duration.ofSeconds(5), 10000, 255, 2000,
            DataSize.ofKilobytes(512));
    /** What secured mode puts on every znode: the services' digest identity. */
    private static final List<ACL> DIGEST = List.of(new ACL(31, new Id("digest",
            "zootask-services:" + "x".repeat(28) + "=")));

    @Test
    void aThousandTasksWithEveryOptionWithinTheBatchBodyLimitFitInOneTransaction() {
        String options = ",\"timeoutSeconds\":60,\"retry\":{\"maxAttempts\":3,\"initialIntervalSeconds\":1,"
                + "\"backoffCoefficient\":2.0,\"maximumIntervalSeconds\":60},\"delaySeconds\":30,\"priority\":9,"
                + "\"requires\":{\"pool\":\"gpu\"}}";
        int room = (int) DEFAULTS.maxBatchBodySize().toBytes() / TaskSubmissionBody.MAX_BATCH;
        String body = IntStream.range(0, TaskSubmissionBody.MAX_BATCH).mapToObj(i -> {
            String head = "{\"command\":[\"echo\",\"" + i;
            return head + "y".repeat(room - head.length() - options.length() - 3) + "\"]" + options;
        }).collect(Collectors.joining(",", "[", "]"));
        assertThat(body.getBytes(StandardCharsets.UTF_8).length).isBetween(
                (int) DEFAULTS.maxBatchBodySize().toBytes() - 2000, (int) DEFAULTS.maxBatchBodySize().toBytes());

        List<Op> ops = ops(JsonMapper.builder().build().readValue(body, TaskSubmissionBody.class).batch());

        assertThat(OneTransaction.requestBytes(ops)).isLessThan(OneTransaction.MAX_REQUEST_BYTES);
        OneTransaction.check(ops);
    }

    @Test
    void aBatchThatWouldNotFitIsRefusedBeforeAnythingIsSent() {
        List<Op> ops = List.of(Op.create("/tasks/task-", new byte[OneTransaction.MAX_REQUEST_BYTES], DIGEST,
                CreateMode.PERSISTENT_SEQUENTIAL));
        assertThatThrownBy(() -> OneTransaction.check(ops)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("split it into smaller batches");
    }

    private static List<Op> ops(List<SubmitTaskRequest> requests) {
        SubmissionRules rules = new SubmissionRules(DEFAULTS);
        String token = "0b7c4a1e-2f0d-4d8e-9a51-7c3f2e1d0a9b";
        Instant now = Instant.parse("2026-11-25T18:14:10.123456789Z");
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            ops.add(Op.create(ZNodes.taskSequentialPrefix(), ProtocolCodec.encode(rules.taskOf(requests.get(i), now,
                    IdempotencyRecord.batchSubmission(token, i), "a-submitting-key-id")), DIGEST,
                    CreateMode.PERSISTENT_SEQUENTIAL));
        }
        String record = ZNodes.idempotencyRecord("key");
        ops.add(Op.create(record, ProtocolCodec.encode(new IdempotencyRecord(token, "h".repeat(64), null, now,
                requests.size(), null)), DIGEST, CreateMode.PERSISTENT));
        return ops;
    }
}
