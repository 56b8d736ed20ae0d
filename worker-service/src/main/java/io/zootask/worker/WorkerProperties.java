package io.zootask.worker;

import io.zootask.worker.execution.ExecutablePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * @param allowedExecutables bare executable names a task may run (looked up in {@code executableDirectories} only,
 *                           run without a shell)
 * @param allowAnyExecutable run any executable at all: remote code execution by design, so it must be said explicitly;
 *                           bare names are still looked up in {@code executableDirectories} only
 * @param executableDirectories the directories, absolute and in this order, where executable names are looked up
 *                           (never the worker's {@code PATH}); also the tasks' {@code PATH}. Default:
 *                           {@code /usr/local/bin,/usr/bin,/bin}
 * @param environment        the environment of the tasks' processes (nothing else of the worker's reaches them)
 * @param workRoot           under which each task gets a fresh working directory of its own, removed when it ends;
 *                           empty means {@code <java.io.tmpdir>/zootask-tasks}
 * @param defaultTimeout     for tasks that set no {@code timeoutSeconds}
 * @param maxOutput          how much of the tail of stdout+stderr a status keeps
 * @param drainGrace         on SIGTERM, how long running tasks may take to finish before they are killed
 * @param expiryMargin       running tasks are killed this long before the server can expire the worker's session,
 *                           counted from the last time the server certainly heard from it: at least half the servers'
 *                           {@code tickTime} (an ensemble's leader learns of its followers' sessions every half tick)
 *                           plus the time a kill takes; at most half the session timeout is used
 * @param markRunningAfter   a task still running after this is marked {@code running} in ZooKeeper (one more
 *                           write); a quicker one goes from {@code assigned} straight to its end state
 * @param maxStatusSize      the most a status may take in ZooKeeper: below the servers' {@code jute.maxbuffer}
 *                           (1 MB by default), with room for the rest of the request; a larger status has its output
 *                           cut, or (if its command alone is too large) becomes a minimal {@code failed} status
 * @param journal            optional file to which each execution's start and end is appended (chaos testing)
 * @param labels             what tasks may require of this worker ({@code zootask.worker.labels.pool=gpu}, or
 *                           {@code ZOOTASK_WORKER_LABELS_POOL=gpu}), published in {@code /workers/<id>}; see
 *                           {@link WorkerLabels} for what names and values may be
 * @param reserved           take only tasks that require one of its labels (needs labels)
 */
@ConfigurationProperties("zootask.worker")
record WorkerProperties(String name,
                               @DefaultValue("0") int slots,
                               @DefaultValue({"echo", "sleep", "true", "false"}) List<String> allowedExecutables,
                               @DefaultValue("false") boolean allowAnyExecutable,
                               List<Path> executableDirectories,
                               @DefaultValue Environment environment,
                               Path workRoot,
                               @DefaultValue("1h") Duration defaultTimeout,
                               @DefaultValue("64KB") DataSize maxOutput,
                               @DefaultValue("30s") Duration drainGrace,
                               @DefaultValue("2s") Duration expiryMargin,
                               @DefaultValue("100ms") Duration markRunningAfter,
                               @DefaultValue("1000KB") DataSize maxStatusSize,
                               String journal,
                               @DefaultValue Map<String, String> labels,
                               @DefaultValue("false") boolean reserved) {

    /**
     * {@code zootask.worker.environment.*}: besides these, a task's process gets {@code PATH} (the executable
     * directories), {@code HOME} and {@code TMPDIR} (its working directory) and {@code ZOOTASK_EXECUTION}.
     *
     * @param passThrough names of variables passed on from the worker's environment, if it has them
     * @param set         fixed values; names other than lower-case letters, digits and {@code -} need brackets:
     *                    {@code "[LC_ALL]": C.UTF-8} in YAML
     */
    public record Environment(@DefaultValue({"LANG", "LC_ALL", "TZ"}) List<String> passThrough,
                              @DefaultValue Map<String, String> set) {
    }

    public WorkerProperties {
        // not a @DefaultValue: the binder cannot turn an array default into a List<Path>
        if (executableDirectories == null) {
            executableDirectories = ExecutablePolicy.DEFAULT_DIRECTORIES;
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        // at start-up, with the property's name: a worker with a label nobody can require would wait for ever
        WorkerLabels.problem(labels, reserved).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    public int effectiveSlots() {
        return slots > 0 ? slots : Runtime.getRuntime().availableProcessors();
    }
}
