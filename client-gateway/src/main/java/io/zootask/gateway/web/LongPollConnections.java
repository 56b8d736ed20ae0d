package io.zootask.gateway.web;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A long-poll parks a connection, not a thread, but every open connection keeps Tomcat's per-socket buffers. With
 * thousands of waiting clients those buffers are most of the heap, so they are kept small: requests here are small
 * JSON bodies and answers a few KB.
 */
@Configuration(proxyBeanMethods = false)
class LongPollConnections {

    @Bean
    TomcatConnectorCustomizer smallSocketBuffers() {
        return connector -> {
            connector.setProperty("socket.appReadBufSize", "2048");
            connector.setProperty("socket.appWriteBufSize", "2048");
        };
    }
}
