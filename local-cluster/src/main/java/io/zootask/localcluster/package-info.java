/**
 * {@code bin/local-cluster} ({@link io.zootask.localcluster.LocalCluster}), and the small API the benchmark and the
 * system tests start zootask's processes with: {@link io.zootask.localcluster.ServiceProcess} (one child process:
 * start, SIGTERM, SIGKILL, restart, its output prefixed or in a log file), {@link io.zootask.localcluster.ExecJar}
 * (a module's {@code -exec.jar} and the command that runs it) and {@link io.zootask.localcluster.ReadinessProbe}.
 * Everything else here is private to the launcher.
 */
package io.zootask.localcluster;
