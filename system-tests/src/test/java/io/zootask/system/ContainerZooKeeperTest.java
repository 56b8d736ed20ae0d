package io.zootask.system;

import static io.zootask.system.ZootaskCluster.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import tools.jackson.databind.JsonNode;

/**
 * The same flow as {@link EndToEndTest#echoHelloRunsAndTheLongPollReturnsItsOutput()}, against the official
 * {@code zookeeper:3.9} image. Runs where Docker runs (the GitHub workflow) and is skipped elsewhere; the in-process
 * TestingServer suites cover the same behaviour everywhere.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(180)
class ContainerZooKeeperTest {

    @Container
    private static final GenericContainer<?> ZOOKEEPER =
            new GenericContainer<>(DockerImageName.parse("zookeeper:3.9")).withExposedPorts(2181);

    @RegisterExtension
    final ZootaskClusterExtension zootask = ZootaskClusterExtension.onDemand();

    @Test
    void aTaskRunsEndToEndOnTheOfficialZooKeeperImage() throws Exception {
        ZootaskCluster cluster = zootask.another(() -> new ZootaskCluster(ZOOKEEPER.getHost() + ":"
                + ZOOKEEPER.getMappedPort(2181)));
        cluster.master("m1");
        cluster.worker("w1", 2);
        Gateway gateway = cluster.gateway();
        String id = gateway.submit("{\"command\":[\"echo\",\"hello\"]}");
        JsonNode done = gateway.awaitFinished(id, seconds(60));
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("output").asString()).isEqualTo("hello\n");
    }
}
