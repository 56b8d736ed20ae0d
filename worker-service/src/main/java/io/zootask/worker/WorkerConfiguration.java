package io.zootask.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.zootask.protocol.ProcessIdentity;
import io.zootask.protocol.WorkerInfo;
import io.zootask.worker.assignments.AssignmentWatcher;
import io.zootask.worker.completion.AssignmentRunner;
import io.zootask.worker.completion.ExecutionJournal;
import io.zootask.worker.completion.GroupCommitter;
import io.zootask.worker.execution.ExecutablePolicy;
import io.zootask.worker.execution.ProcessRunner;
import io.zootask.worker.registration.WorkerRegistration;
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
    ProcessRunner processRunner(WorkerProperties properties, Clock clock) {
        return new ProcessRunner((int) properties.maxOutput().toBytes(), clock);
    }

    @Bean(destroyMethod = "close")
    GroupCommitter groupCommitter(CuratorFramework client) {
        return new GroupCommitter(client);
    }

    @Bean
    AssignmentRunner assignmentRunner(CuratorFramework client, ProcessRunner processes, WorkerProperties properties,
                                      Clock clock, MeterRegistry meters, GroupCommitter committer) {
        if (properties.allowAnyExecutable()) {
            log.warn("zootask.worker.allow-any-executable=true: this worker runs ANY command it is given");
        }
        ExecutionJournal journal = properties.journal() == null || properties.journal().isBlank()
                ? ExecutionJournal.disabled(clock) : new ExecutionJournal(Path.of(properties.journal()), clock);
        return new AssignmentRunner(client, processes,
                new ExecutablePolicy(properties.allowedExecutables(), properties.allowAnyExecutable()),
                properties.defaultTimeout(), clock, meters, journal, committer, properties.markRunningAfter());
    }

    @Bean
    AssignmentWatcher assignmentWatcher(CuratorFramework client, AssignmentRunner runner, ProcessRunner processes,
                                        WorkerProperties properties) {
        return new AssignmentWatcher(client, runner, processes, properties.effectiveSlots());
    }

    @Bean
    WorkerRegistration workerRegistration(CuratorFramework client, AssignmentWatcher watcher,
                                          WorkerProperties properties) {
        String host = ProcessIdentity.host();
        long pid = ProcessIdentity.pid();
        String name = ProcessIdentity.nameOr(properties.name());
        String version = WorkerApplication.class.getPackage().getImplementationVersion();
        WorkerInfo template = new WorkerInfo(name, host, pid, properties.effectiveSlots(),
                version == null ? "dev" : version);
        return new WorkerRegistration(client, name, template, List.of(watcher), properties.suspendedKillAfter());
    }

    @Bean
    WorkerLifecycle workerLifecycle(WorkerRegistration registration, AssignmentWatcher watcher,
                                    AssignmentRunner runner, WorkerProperties properties) {
        return new WorkerLifecycle(registration, watcher, runner, properties.drainGrace());
    }

    @Bean
    InfoContributor workerInfo(WorkerRegistration registration, AssignmentWatcher watcher) {
        return builder -> builder.withDetail("worker", Map.of(
                "id", registration.current().map(r -> r.workerId()).orElse("(not registered)"),
                "slots", watcher.slots(),
                "slotsUsed", watcher.busySlots()));
    }
}
