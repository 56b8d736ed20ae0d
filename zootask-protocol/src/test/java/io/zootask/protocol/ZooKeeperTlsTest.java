package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.server.NettyServerCnxnFactory;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to ZooKeeper through ZooKeeper's own client settings, given as {@code zootask.zookeeper.client-properties}: a
 * real ZooKeeper server that accepts only TLS (Netty, a self-signed certificate made with the JDK's keytool), and a
 * client whose TLS switch, socket and trust store come from {@link ZooKeeperSettings#clientProperties()} alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperTlsTest {

    private static final String STORE_PASSWORD = "test-only-store-password";
    /** The server's TLS settings: ZooKeeper's server reads them from system properties, so they are set only here. */
    private static final List<String> SERVER_PROPERTIES = List.of("zookeeper.ssl.keyStore.location",
            "zookeeper.ssl.keyStore.password", "zookeeper.ssl.clientAuth");

    @TempDir
    static Path dir;

    private ServerCnxnFactory factory;
    private ZooKeeperServer server;
    private Path trustStore;
    private final List<CuratorFramework> clients = new ArrayList<>();

    @BeforeAll
    void startTlsOnlyServer() throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.crt");
        trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "zookeeper", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "zookeeper", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "zookeeper", "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        System.setProperty("zookeeper.ssl.keyStore.location", keyStore.toString());
        System.setProperty("zookeeper.ssl.keyStore.password", STORE_PASSWORD);
        System.setProperty("zookeeper.ssl.clientAuth", "none");
        System.setProperty(ServerCnxnFactory.ZOOKEEPER_SERVER_CNXN_FACTORY, NettyServerCnxnFactory.class.getName());
        try {
            factory = ServerCnxnFactory.createFactory();
        } finally {
            System.clearProperty(ServerCnxnFactory.ZOOKEEPER_SERVER_CNXN_FACTORY);
        }
        File data = Files.createDirectories(dir.resolve("data")).toFile();
        server = new ZooKeeperServer(data, data, 2000);
        factory.configure(new InetSocketAddress("127.0.0.1", 0), 100, -1, true); // secure: TLS only
        factory.startup(server);
    }

    @AfterAll
    void stop() {
        clients.forEach(CuratorFramework::close);
        if (factory != null) {
            factory.shutdown();
        }
        if (server != null) {
            server.shutdown();
        }
        SERVER_PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    void aClientGivenZooKeepersTlsSettingsAsClientPropertiesConnectsAndWorks() throws Exception {
        CuratorFramework client = started(settings().withClientProperties(Map.of(
                "zookeeper.client.secure", "true",
                "zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty",
                // spelled as an environment variable brings it (ZOOTASK_..._SSL_TRUSTSTORE_LOCATION): lower case
                "zookeeper.ssl.truststore.location", trustStore.toString(),
                "zookeeper.ssl.trustStore.password", STORE_PASSWORD)));

        assertThat(client.blockUntilConnected(20, TimeUnit.SECONDS)).isTrue();
        ZooKeeperClients.ensureRoots(client);
        assertThat(client.checkExists().forPath(ZNodes.TASKS)).isNotNull();
    }

    @Test
    void withoutThemTheSameClientCannotConnect() throws Exception {
        CuratorFramework plain = started(settings());
        assertThat(plain.blockUntilConnected(3, TimeUnit.SECONDS)).isFalse();
    }

    private ZooKeeperSettings settings() {
        return ZooKeeperSettings.defaults("127.0.0.1:" + factory.getLocalPort());
    }

    private CuratorFramework started(ZooKeeperSettings settings) {
        CuratorFramework client = ZooKeeperClients.newClient(settings);
        clients.add(client);
        client.start();
        return client;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
