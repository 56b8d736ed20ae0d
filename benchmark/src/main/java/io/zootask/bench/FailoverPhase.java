package io.zootask.bench;

import io.zootask.localcluster.ServiceProcess;
import io.zootask.protocol.ZNodes;
import java.time.Duration;

/**
 * Failover as a client sees it: kill -9 and SIGTERM of the active master until the first new assignment, and kill -9
 * of a worker until its running task runs elsewhere.
 */
final class FailoverPhase implements Phase {

    private final BenchCluster cluster;
    private final GatewayClient gateway;

    FailoverPhase(BenchCluster cluster, GatewayClient gateway) {
        this.cluster = cluster;
        this.gateway = gateway;
    }

    @Override
    public String title() {
        return "failover";
    }

    @Override
    public void run(Figures figures) throws Exception {
        Await.until(() -> cluster.children(ZNodes.WORKERS) == 2, Duration.ofSeconds(60));
        // master kill -9 until the first new assignment
        String leader = cluster.activeMaster();
        long begin = System.nanoTime();
        BenchCluster.crash(cluster.service(leader));
        awaitAssigned(gateway.submit(GatewayClient.NOOP_JSON));
        figures.put("failover_master_kill_s", (System.nanoTime() - begin) / 1e9);
        cluster.restart(leader);
        Await.until(() -> cluster.children(ZNodes.ELECTION) == 2, Duration.ofSeconds(60));

        // master SIGTERM until the first new assignment
        ServiceProcess active = cluster.service(cluster.activeMaster());
        begin = System.nanoTime();
        BenchCluster.stop(active);
        awaitAssigned(gateway.submit(GatewayClient.NOOP_JSON));
        figures.put("failover_master_term_s", (System.nanoTime() - begin) / 1e9);

        // worker kill -9 until its task runs elsewhere
        String sleeper = gateway.submit("{\"command\":[\"sleep\",\"60\"]}");
        Await.until(() -> "running".equals(gateway.state(sleeper)), Duration.ofSeconds(30));
        String runningOn = gateway.taskField(sleeper, "worker");
        ServiceProcess victim = cluster.service(runningOn.startsWith("w1") ? "w1" : "w2");
        begin = System.nanoTime();
        BenchCluster.crash(victim);
        Await.until(() -> "running".equals(gateway.state(sleeper))
                && !runningOn.equals(gateway.taskField(sleeper, "worker")), Duration.ofSeconds(60));
        figures.put("failover_worker_kill_s", (System.nanoTime() - begin) / 1e9);
    }

    private void awaitAssigned(String id) throws Exception {
        Await.until(() -> !"queued".equals(gateway.state(id)), Duration.ofSeconds(60));
    }
}
