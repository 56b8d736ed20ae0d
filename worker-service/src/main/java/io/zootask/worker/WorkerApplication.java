package io.zootask.worker;

import io.zootask.protocol.spring.ExitWhenStdinCloses;
import io.zootask.protocol.spring.ZooKeeperClientConfiguration;
import io.zootask.worker.execution.ProcessLauncher;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/** A worker: registers under {@code /workers}, runs what the master assigns under {@code /assign/<id>}. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import({ZooKeeperClientConfiguration.class, ExitWhenStdinCloses.class})
public class WorkerApplication {

    public static void main(String[] args) {
        ProcessLauncher.chooseLaunchMechanism(); // before anything in the JVM starts a process
        SpringApplication.run(WorkerApplication.class, args);
    }
}
