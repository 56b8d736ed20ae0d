package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task written straight into {@code /tasks} may be nearly 1 MB; with its binary output, its status would be over
 * ZooKeeper's request limit, which the server answers by dropping the connection. Such tasks must still end, with a
 * status that says why it is smaller than it would be, and without holding up the other tasks of their worker.
 */
@Timeout(120)
class OversizedStatusTest {

    /** Linux refuses a single argument of 128 KiB or more. */
    private static final int ARGUMENT_CHARS = 120_000;

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
    private ZootaskCluster cluster;
    private ZooKeeper zk;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        cluster = zootask.cluster();
        cluster.master("m");
        gateway = cluster.gateway();
        cluster.worker("wb", 3, "zootask.worker.allow-any-executable=true", "zootask.worker.max-output=512KB");
        zk = cluster.plainClient();
    }

    @Test
    void aStatusOverTheRequestLimitEndsCutToFitAndOtherTasksKeepFlowing() throws Exception {
        // 840 KB of command, 512 KB of random bytes as output: far over 1 MB once the output is escaped as JSON
        String bigOutput = submitByHand(command("head -c 600000 /dev/urandom", 7));
        // 1 028 KB of command: not even a status without output fits
        String hugeCommand = submitByHand(command("head -c 1000 /dev/urandom", 8, 128_500));
        String normal = gateway.submit("{\"command\":[\"echo\",\"alongside\"]}");

        JsonNode alongside = gateway.awaitFinished(normal, seconds(20));
        assertThat(alongside.get("state").asString()).isEqualTo("done");
        assertThat(alongside.get("output").asString()).isEqualTo("alongside\n");

        JsonNode cut = gateway.awaitFinished(bigOutput, seconds(20));
        assertThat(cut.get("state").asString()).isEqualTo("done");
        assertThat(cut.get("exitCode").asInt()).isZero();
        assertThat(cut.get("command")).hasSize(4 + 7);
        assertThat(cut.get("outputTruncated").asBoolean()).isTrue();
        assertThat(cut.get("output").asString()).isNotEmpty();
        assertThat(cut.get("message").asString()).contains("output cut to fit the status in ZooKeeper's request limit");
        assertThat(zk.getData("/status/" + bigOutput, false, null).length).isLessThanOrEqualTo(1000 * 1024);

        JsonNode failed = gateway.awaitFinished(hugeCommand, seconds(20));
        assertThat(failed.get("state").asString()).isEqualTo("failed");
        assertThat(failed.get("command")).isNull();
        assertThat(failed.get("exitCode").asInt()).isZero();
        assertThat(failed.get("message").asString()).contains("its command was dropped").contains("ended done");

        String after = gateway.submit("{\"command\":[\"echo\",\"after\"]}");
        assertThat(gateway.awaitFinished(after, seconds(20)).get("state").asString()).isEqualTo("done");
    }

    private static byte[] command(String script, int fillers) {
        return command(script, fillers, ARGUMENT_CHARS);
    }

    /** {@code sh -c script x filler...}: the fillers are positional parameters the script ignores. */
    private static byte[] command(String script, int fillers, int fillerChars) {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script, "x"));
        for (int i = 0; i < fillers; i++) {
            argv.add(String.valueOf((char) ('a' + i)).repeat(fillerChars));
        }
        return JsonMapper.builder().build().writeValueAsString(java.util.Map.of("command", argv))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** As a zkCli user or another program would: no gateway, so no 64 KB body limit. */
    private String submitByHand(byte[] task) throws Exception {
        String path = zk.create("/tasks/task-", task, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
