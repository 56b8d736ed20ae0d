package io.zootask.gateway.web;

import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Long-polls come in bursts of new connections (every client of a batch job waits at once). Jetty's default accept
 * queue is the JDK's 50: beyond it the kernel drops SYNs and clients retry after 1, 3, 7 s... so a burst of thousands
 * takes minutes to connect. A queue of 4096 (the kernel's usual somaxconn cap) lets them in at once.
 */
@Configuration(proxyBeanMethods = false)
class LongPollConnections {

    static final int ACCEPT_QUEUE = 4096;

    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> deepAcceptQueue() {
        return factory -> factory.addServerCustomizers(server -> {
            for (var connector : server.getConnectors()) {
                if (connector instanceof ServerConnector serverConnector) {
                    serverConnector.setAcceptQueueSize(ACCEPT_QUEUE);
                }
            }
        });
    }
}
