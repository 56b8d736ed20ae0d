package io.zootask.bench;

import io.zootask.localcluster.ServiceProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the machine's cores went over a phase, by role, from the kernel's own accounting of each process the cluster
 * started ({@code /proc/PID/stat}, in clock ticks of 1/100 s) and this JVM's for the load generator.
 */
final class CpuAccounting {

    private static final List<String> ROLES = List.of("zookeeper", "masters", "workers", "gateway",
            "load_generator");

    private final BenchCluster cluster;

    CpuAccounting(BenchCluster cluster) {
        this.cluster = cluster;
    }

    /** CPU seconds each role's processes have used so far. */
    Map<String, Double> seconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        ROLES.forEach(role -> seconds.put(role, 0.0));
        for (ServiceProcess process : cluster.processes()) {
            if (!process.isAlive()) {
                continue;
            }
            String name = process.name();
            // an ensemble's servers (zookeeper-1 ..) are one role: what a quorum write costs is their sum
            String role = name.startsWith("master") ? "masters" : name.startsWith("worker") ? "workers"
                    : name.startsWith("zookeeper") ? "zookeeper" : name;
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                double used = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0; // utime + stime
                seconds.merge(role, used, Double::sum);
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile, or not Linux: no figure
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            seconds.put("load_generator", os.getProcessCpuTime() / 1e9);
        }
        return seconds;
    }

    /**
     * CPU seconds of the workers' children that have exited and been reaped (cutime + cstime): the task processes,
     * which no role above counts.
     */
    double workersChildrenSeconds() {
        double seconds = 0;
        for (ServiceProcess process : cluster.processes()) {
            if (process.isAlive() && process.name().startsWith("worker")) {
                try {
                    String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    seconds += (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / 100.0;
                } catch (IOException | RuntimeException gone) {
                    // exited meanwhile, or not Linux: no figure
                }
            }
        }
        return seconds;
    }

    /** {@code <phase>_cpu_ms_per_task_<role>} for each role since {@code before}, and their {@code _total}. */
    void putPerTask(Figures figures, String phase, Map<String, Double> before, int tasks) {
        Map<String, Double> after = seconds();
        double total = 0;
        for (String role : ROLES) {
            double ms = (after.get(role) - before.get(role)) * 1000 / tasks;
            figures.put(phase + "_cpu_ms_per_task_" + role, ms);
            total += ms;
        }
        figures.put(phase + "_cpu_ms_per_task_total", total);
    }
}
