package io.zootask.system;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Owns the {@link ZootaskCluster} of a test: builds it before, closes it (and every other cluster the test asked
 * for) after, whatever happened. Per test method as an instance field, per class as a static one:
 *
 * <pre>
 * &#64;RegisterExtension final ZootaskClusterExtension zootask = ZootaskClusterExtension.perTest();
 * &#64;RegisterExtension static final ZootaskClusterExtension zootask = ZootaskClusterExtension.perClass();
 * </pre>
 */
final class ZootaskClusterExtension implements BeforeEachCallback, AfterEachCallback, BeforeAllCallback,
        AfterAllCallback {

    @FunctionalInterface
    interface Factory {
        ZootaskCluster create() throws Exception;
    }

    private final Factory factory;
    private final boolean perClass;
    private final List<ZootaskCluster> others = new ArrayList<>();
    private ZootaskCluster cluster;

    private ZootaskClusterExtension(Factory factory, boolean perClass) {
        this.factory = factory;
        this.perClass = perClass;
    }

    /** A fresh cluster on one in-process ZooKeeper server for each test method. */
    static ZootaskClusterExtension perTest() {
        return new ZootaskClusterExtension(ZootaskCluster::new, false);
    }

    /** A fresh cluster on a quorum of {@code servers} in-process ZooKeeper servers for each test method. */
    static ZootaskClusterExtension perTestOnEnsemble(int servers) {
        return new ZootaskClusterExtension(() -> new ZootaskCluster(servers), false);
    }

    /** No cluster of its own: only those a test asks for with {@link #another}, closed after it. */
    static ZootaskClusterExtension onDemand() {
        return new ZootaskClusterExtension(null, false);
    }

    /** One cluster for all the tests of the class. */
    static ZootaskClusterExtension perClass() {
        return new ZootaskClusterExtension(ZootaskCluster::new, true);
    }

    ZootaskCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster exists only while a test (or its class) runs");
        }
        return cluster;
    }

    /** Another cluster for this test, closed after it. */
    ZootaskCluster another() throws Exception {
        return another(ZootaskCluster::new);
    }

    /** Another cluster, made as the test needs it (on a given ZooKeeper, for one), closed after the test. */
    ZootaskCluster another(Factory how) throws Exception {
        ZootaskCluster other = how.create();
        others.add(other);
        return other;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (perClass) {
            cluster = factory.create();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass && factory != null) {
            cluster = factory.create();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<ZootaskCluster> ofTheTest = new ArrayList<>(others);
        others.clear();
        if (!perClass && cluster != null) {
            ofTheTest.add(cluster);
            cluster = null;
        }
        close(ofTheTest);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass && cluster != null) {
            ZootaskCluster ofTheClass = cluster;
            cluster = null;
            close(List.of(ofTheClass));
        }
    }

    /** Closes every one, even when one fails; then throws the first failure. */
    private static void close(List<ZootaskCluster> clusters) throws Exception {
        Exception first = null;
        for (ZootaskCluster each : clusters) {
            try {
                each.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
