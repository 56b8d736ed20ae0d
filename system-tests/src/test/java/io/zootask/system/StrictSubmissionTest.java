package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import java.util.UUID;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A submission is taken as written: a value of the wrong type is never coerced into something the client did not
 * write ({@code [1,2]} into {@code ["1","2"]}, {@code "5"} or {@code 5.5} into 5). It is a 400 problem naming the
 * field or the element, and nothing reaches ZooKeeper.
 */
@Timeout(120)
class StrictSubmissionTest {

    @RegisterExtension
    static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
    private static ZootaskCluster cluster;
    private static Gateway gateway;
    private static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        cluster = zootask.cluster();
        gateway = cluster.gateway();
        zk = cluster.plainClient();
        await().atMost(seconds(20)).until(() -> zk.exists("/tasks", false) != null
                && zk.exists("/idempotency", false) != null);
    }

    @Test
    void aValueOfTheWrongTypeIsA400NamingItAndWritesNothing() throws Exception {
        Map<String, String> refused = Map.ofEntries(
                Map.entry("{\"command\":[1,2]}", "command[0] must be a string; it was a number"),
                Map.entry("{\"command\":[\"echo\",true]}", "command[1] must be a string; it was a boolean"),
                Map.entry("{\"command\":[\"echo\",\"x\",null]}", "command[2] must be a string; it was null"),
                Map.entry("{\"command\":[\"echo\",[\"x\"]]}", "command[1] must be a string; it was an array"),
                Map.entry("{\"command\":[\"echo\",{\"a\":1}]}", "command[1] must be a string; it was an object"),
                Map.entry("{\"command\":[\"sleep\",1.5]}", "command[1] must be a string; it was a number with a"),
                Map.entry("{\"command\":\"echo hi\"}", "command must be an array of strings"),
                Map.entry("{\"command\":{\"echo\":1}}", "command must be an array of strings"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":\"5\"}",
                        "timeoutSeconds must be a whole number such as 60, not in quotes; it was a string"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":5.5}",
                        "timeoutSeconds must be a whole number such as 60, not in quotes; it was a number with a"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":5.0}", "timeoutSeconds must be a whole number"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":1e2}", "timeoutSeconds must be a whole number"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":true}",
                        "timeoutSeconds must be a whole number such as 60, not in quotes; it was a boolean"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":[5]}",
                        "timeoutSeconds must be a whole number such as 60, not in quotes; it was an array"),
                Map.entry("{\"command\":[\"echo\"],\"timeoutSeconds\":99999999999999999999}",
                        "timeoutSeconds is out of range"),
                Map.entry("{\"command\":[\"echo\"],\"maxAttempts\":\"3\"}",
                        "maxAttempts must be a whole number such as 60, not in quotes; it was a string"),
                Map.entry("{\"command\":[\"echo\"],\"maxAttempts\":2.5}", "maxAttempts must be a whole number"),
                Map.entry("{\"command\":[\"echo\"],\"maxAttempts\":false}",
                        "maxAttempts must be a whole number such as 60, not in quotes; it was a boolean"),
                Map.entry("{\"command\":[\"echo\"],\"command\":[\"true\"]}", "command is given twice"),
                // an array is a batch (BatchSubmissionTest); its elements are read as strictly, and named
                Map.entry("[{\"command\":[\"echo\"]},[\"echo\"]]", "[1]: each task must be a JSON object"),
                Map.entry("[{\"command\":[\"echo\",1]}]", "[0]: command[1] must be a string; it was a number"),
                Map.entry("\"echo hi\"", "the body must be a JSON object"));
        for (Map.Entry<String, String> bad : refused.entrySet()) {
            Gateway.assertProblem(gateway.postJson(bad.getKey()), 400, bad.getValue());
            Gateway.assertProblem(gateway.postJson(bad.getKey(), UUID.randomUUID().toString()), 400, bad.getValue());
            assertThat(zk.getChildren("/tasks", false)).as("nothing queued for %s", bad.getKey()).isEmpty();
            assertThat(zk.getChildren("/idempotency", false)).as("no key recorded for %s", bad.getKey()).isEmpty();
        }
    }

    @Test
    void nullMeansNotGivenAndUnknownFieldsAreIgnored() throws Exception {
        String id = gateway.submit("{\"command\":[\"echo\",\"5\"],\"timeoutSeconds\":null,\"maxAttempts\":2,"
                + "\"note\":{\"any\":[1,true,null]}}");
        assertThat(gateway.task(id).get("command").toString()).isEqualTo("[\"echo\",\"5\"]");
        byte[] data = zk.getData("/tasks/" + id, false, null);
        String written = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(written).contains("\"maxAttempts\":2").doesNotContain("timeoutSeconds").doesNotContain("note");
        zk.delete("/tasks/" + id, -1); // the other test expects an empty queue
    }
}
