package io.zootask.protocol.spring;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code zootask.exit-when-stdin-closes=true}, the service shuts down (gracefully, as on SIGTERM) when its
 * standard input reaches its end.
 *
 * <p>Why: {@code bin/local-cluster} (and the benchmark) start each service with a pipe as its stdin and never write
 * to it. The kernel closes that pipe when the launcher exits, however it exits: {@code kill -9} included, which no
 * signal handler of the launcher sees. Without this a service outlived a killed launcher, held its port, and the next
 * {@code bin/local-cluster} could not start. Off by default: a service started by hand or by a supervisor may have
 * {@code /dev/null} as its stdin, which ends at once.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = ExitWhenStdinCloses.PROPERTY, havingValue = "true")
public class ExitWhenStdinCloses {

    public static final String PROPERTY = "zootask.exit-when-stdin-closes";

    private static final Logger log = LoggerFactory.getLogger(ExitWhenStdinCloses.class);

    public ExitWhenStdinCloses() {
        Thread watch = new Thread(() -> awaitEnd(System.in), "stdin-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static void awaitEnd(InputStream in) {
        byte[] discarded = new byte[256];
        try {
            while (in.read(discarded) >= 0) {
                // nobody is meant to write here: whatever comes is not an instruction
            }
        } catch (IOException e) {
            // as closed: the other end is gone
        }
        log.warn("standard input closed: the process that started this service has ended; shutting down");
        // System.exit runs Spring's shutdown hook: the same graceful stop as SIGTERM, also midway through a start
        System.exit(0);
    }
}
