package io.zootask.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ProcessIdentity;
import io.zootask.protocol.WorkerInfo;
import io.zootask.protocol.ZooKeeperSettings;
import io.zootask.worker.assignments.AssignmentWatcher;
import io.zootask.worker.completion.AssignmentRunner;
import io.zootask.worker.completion.CancelRequests;
import io.zootask.worker.completion.ExecutionJournal;
import io.zootask.worker.completion.GroupCommitter;
import io.zootask.worker.execution.ExecutablePolicy;
import io.zootask.worker.execution.ProcessRunner;
import io.zootask.worker.execution.TaskEnvironment;
import io.zootask.worker.execution.TaskGuardian;
import io.zootask.worker.execution.WorkDirectories;
import io.zootask.worker.registration.WorkerRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WorkerConfiguration.class);

    @Bean
    ExecutablePolicy executablePolicy(WorkerProperties properties) {
        ExecutablePolicy policy = new ExecutablePolicy(properties.allowedExecutables(),
                properties.allowAnyExecutable(), properties.executableDirectories());
        for (Path directory : policy.directories()) {
            if (!Files.isDirectory(directory)) {
                log.warn("zootask.worker.executable-directories: {} is not a directory", directory);
            }
        }
        return policy;
    }

    /** Started before any task, closed after the runner: what a task leaves running at the very end, it sweeps. */
    @Bean(destroyMethod = "close")
    TaskGuardian taskGuardian() {
        return TaskGuardian.start();
    }

    @Bean
    ProcessRunner processRunner(WorkerProperties properties, ExecutablePolicy policy, Clock clock,
                                TaskGuardian guardian) {
        WorkDirectories directories = new WorkDirectories(properties.workRoot() == null
                ? WorkDirectories.defaultRoot() : properties.workRoot());
        int removed = directories.removeLeftovers();
        if (removed > 0) {
            log.info("removed {} working directories left by workers that are gone", removed);
        }
        TaskEnvironment environment = new TaskEnvironment(policy.directories(),
                properties.environment().passThrough(), properties.environment().set());
        log.info("tasks run {} from {}, in a fresh directory under {}, with PATH, HOME, TMPDIR, {}{}{}",
                properties.allowAnyExecutable() ? "ANY executable" : "only " + properties.allowedExecutables(),
                policy.directories(), directories.root(), TaskEnvironment.EXECUTION_VARIABLE,
                environment.passThrough().isEmpty() ? "" : ", passed on: " + environment.passThrough(),
                environment.fixedNames().isEmpty() ? "" : ", set: " + environment.fixedNames());
        return new ProcessRunner(policy, environment, directories, (int) properties.maxOutput().toBytes(), clock,
                guardian);
    }

    @Bean(destroyMethod = "close")
    GroupCommitter groupCommitter(CuratorFramework client) {
        return new GroupCommitter(client);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    CancelRequests cancelRequests(CuratorFramework client) {
        return new CancelRequests(client);
    }

    @Bean
    AssignmentRunner assignmentRunner(CuratorFramework client, ProcessRunner processes, ExecutablePolicy policy,
                                      WorkerProperties properties, Clock clock, MeterRegistry meters,
                                      GroupCommitter committer, CancelRequests cancels) {
        if (properties.allowAnyExecutable()) {
            log.warn("zootask.worker.allow-any-executable=true: this worker runs ANY command it is given");
        }
        ExecutionJournal journal = properties.journal() == null || properties.journal().isBlank()
                ? ExecutionJournal.disabled(clock) : new ExecutionJournal(Path.of(properties.journal()), clock);
        return new AssignmentRunner(client, processes, policy, properties.defaultTimeout(), clock, meters, journal,
                committer, properties.markRunningAfter(), (int) properties.maxStatusSize().toBytes(), cancels);
    }

    @Bean
    AssignmentWatcher assignmentWatcher(CuratorFramework client, AssignmentRunner runner, ProcessRunner processes,
                                        WorkerProperties properties, CancelRequests cancels) {
        AssignmentWatcher watcher = new AssignmentWatcher(client, runner, processes, properties.effectiveSlots());
        cancels.onRequest(watcher::cancelRequested, watcher.cancelExecutor());
        return watcher;
    }

    @Bean(destroyMethod = "close")
    WorkerRegistration workerRegistration(CuratorFramework client, AssignmentWatcher watcher,
                                          WorkerProperties properties, ZooKeeperSettings zooKeeper) {
        String host = ProcessIdentity.host();
        long pid = ProcessIdentity.pid();
        String name = ProcessIdentity.nameOr(properties.name());
        String version = WorkerApplication.class.getPackage().getImplementationVersion();
        WorkerInfo template = new WorkerInfo(name, host, pid, properties.effectiveSlots(),
                version == null ? "dev" : version, properties.labels(), properties.reserved());
        if (!properties.labels().isEmpty()) {
            log.info("labels {}{}", properties.labels(), properties.reserved()
                    ? "; reserved: only tasks that require one of them" : "");
        }
        return new WorkerRegistration(client, name, template, List.of(watcher), properties.expiryMargin(),
                zooKeeper.sessionTimeout());
    }

    @Bean
    WorkerLifecycle workerLifecycle(WorkerRegistration registration, AssignmentWatcher watcher,
                                    AssignmentRunner runner, WorkerProperties properties) {
        return new WorkerLifecycle(registration, watcher, runner, properties.drainGrace());
    }

    @Bean
    InfoContributor workerInfo(WorkerRegistration registration, AssignmentWatcher watcher, TaskGuardian guardian) {
        return builder -> builder.withDetail("worker", Map.of(
                "id", registration.current().map(r -> r.workerId()).orElse("(not registered)"),
                "slots", watcher.slots(),
                "slotsUsed", watcher.busySlots(),
                "taskGuardian", guardian.guarding()));
    }
}
