package io.zootask.master;

import io.zootask.protocol.spring.ExitWhenStdinCloses;
import io.zootask.protocol.spring.ZooKeeperClientConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

/** A master: one of several; the elected one assigns queued tasks and recovers the tasks of dead workers. */
@SpringBootApplication
@ConfigurationPropertiesScan
@Import({ZooKeeperClientConfiguration.class, ExitWhenStdinCloses.class})
public class MasterApplication {

    public static void main(String[] args) {
        SpringApplication.run(MasterApplication.class, args);
    }
}
