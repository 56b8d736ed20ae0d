package io.zootask.worker;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code zootask.worker.*}.
 *
 * @param name               prefix of this worker's ids; defaults to {@code host-pid}. Each ZooKeeper session gets a
 *                           fresh id ({@code name-1}, {@code name-2}, ...) so that work from an expired session can
 *                           never be mistaken for the new session's.
 * @param slots              how many tasks run at once; 0 means the number of cores
 * @param allowedExecutables bare executable names a task may run (resolved on the worker's PATH, run without a shell)
 * @param allowAnyExecutable run any executable at all: remote code execution by design, so it must be said explicitly
 * @param defaultTimeout     for tasks that set no {@code timeoutSeconds}
 * @param maxOutput          how much of the tail of stdout+stderr a status keeps
 * @param drainGrace         on SIGTERM, how long running tasks may take to finish before they are killed
 * @param suspendedKillAfter how long a lost connection is tolerated before running tasks are killed (the session
 *                           may be expiring); empty means a quarter of the session timeout
 * @param markRunningAfter   a task still running after this is marked {@code running} in ZooKeeper (one more
 *                           write); a quicker one goes from {@code assigned} straight to its end state
 * @param journal            optional file to which each execution's start and end is appended (chaos testing)
 */
@ConfigurationProperties("zootask.worker")
public record WorkerProperties(String name,
                               @DefaultValue("0") int slots,
                               @DefaultValue({"echo", "sleep", "true", "false"}) List<String> allowedExecutables,
                               @DefaultValue("false") boolean allowAnyExecutable,
                               @DefaultValue("1h") Duration defaultTimeout,
                               @DefaultValue("64KB") DataSize maxOutput,
                               @DefaultValue("30s") Duration drainGrace,
                               Duration suspendedKillAfter,
                               @DefaultValue("100ms") Duration markRunningAfter,
                               String journal) {

    public int effectiveSlots() {
        return slots > 0 ? slots : Runtime.getRuntime().availableProcessors();
    }
}
