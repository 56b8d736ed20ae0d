package io.zootask.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooKeeper;

/** ZooKeeper's own ceiling on this machine: pipelined creates and multis, as fast as one server takes them. */
final class CeilingPhase implements Phase {

    private static final int WINDOW = 2000;
    private static final byte[] DATA = new byte[100];

    private final String connect;
    private final BenchOptions options;

    CeilingPhase(String connect, BenchOptions options) {
        this.connect = connect;
        this.options = options;
    }

    @Override
    public String title() {
        return "ZooKeeper's ceiling";
    }

    @Override
    public void run(Figures figures) throws Exception {
        // each under a parent of its own: one list of 100 000 children would itself break getChildren
        figures.put("ceiling_creates_per_s", creates(connect, "/bench-creates", options.n(30000), 1));
        figures.put("ceiling_multi_per_s", multis(connect, "/bench-multi", options.n(30000)));
        figures.put("ceiling_creates_per_s_8_sessions", creates(connect, "/bench-creates-8", options.n(40000), 8));
        // and gone before zootask is measured: 100 000 znodes more made every snapshot of the later phases that much
        // larger, a stall no production ZooKeeper of zootask's would see
        try (ZooKeeper zk = BenchZooKeeper.connect(connect)) {
            for (String parent : List.of("/bench-creates", "/bench-multi", "/bench-creates-8")) {
                deleteWithChildren(zk, parent);
            }
        }
    }

    /** One listing and a multi per 1 000 children (ZKUtil's recursive delete lists every leaf too: 25 s here). */
    private static void deleteWithChildren(ZooKeeper zk, String parent) throws Exception {
        List<String> children = zk.getChildren(parent, false);
        for (int from = 0; from < children.size(); from += 1000) {
            List<Op> deletes = new ArrayList<>();
            for (String child : children.subList(from, Math.min(children.size(), from + 1000))) {
                deletes.add(Op.delete(parent + "/" + child, -1));
            }
            zk.multi(deletes);
        }
        zk.delete(parent, -1);
    }

    /** Pipelined sequential creates from {@code sessions} sessions at once; returns creates per second. */
    private static double creates(String connect, String parent, int total, int sessions) throws Exception {
        List<ZooKeeper> clients = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            clients.add(BenchZooKeeper.connect(connect));
        }
        ensure(clients.get(0), parent);
        CountDownLatch done = new CountDownLatch(total);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            ZooKeeper zk = clients.get(s);
            int share = total / sessions + (s < total % sessions ? 1 : 0);
            Thread t = new Thread(() -> {
                Semaphore window = new Semaphore(WINDOW / sessions);
                for (int i = 0; i < share; i++) {
                    window.acquireUninterruptibly();
                    zk.create(parent + "/c-", DATA, BenchZooKeeper.ACL, CreateMode.PERSISTENT_SEQUENTIAL,
                            (rc, path, ctx, name) -> {
                                window.release();
                                done.countDown();
                            }, null);
                }
            });
            threads.add(t);
            t.start();
        }
        done.await(5, TimeUnit.MINUTES);
        double perSecond = total / ((System.nanoTime() - start) / 1e9);
        for (ZooKeeper zk : clients) {
            zk.close();
        }
        return perSecond;
    }

    /** Pipelined {@code multi} transactions (check + create, the shape of zootask's) from one session. */
    private static double multis(String connect, String parent, int total) throws Exception {
        ZooKeeper zk = BenchZooKeeper.connect(connect);
        ensure(zk, parent);
        Semaphore window = new Semaphore(WINDOW);
        CountDownLatch done = new CountDownLatch(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            window.acquireUninterruptibly();
            zk.multi(List.of(Op.check(parent, -1),
                            Op.create(parent + "/m-", DATA, BenchZooKeeper.ACL, CreateMode.PERSISTENT_SEQUENTIAL)),
                    (rc, path, ctx, results) -> {
                        window.release();
                        done.countDown();
                    }, null);
        }
        done.await(5, TimeUnit.MINUTES);
        double perSecond = total / ((System.nanoTime() - start) / 1e9);
        zk.close();
        return perSecond;
    }

    private static void ensure(ZooKeeper zk, String path) throws Exception {
        if (zk.exists(path, false) == null) {
            try {
                zk.create(path, new byte[0], BenchZooKeeper.ACL, CreateMode.PERSISTENT);
            } catch (org.apache.zookeeper.KeeperException.NodeExistsException raced) {
                // fine
            }
        }
    }
}
