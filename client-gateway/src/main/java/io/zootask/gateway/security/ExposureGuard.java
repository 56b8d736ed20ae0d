package io.zootask.gateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Secure by default: decides at start whether the gateway may serve without keys, before its port is opened (Tomcat
 * binds only once every bean exists, and this one refuses to).
 *
 * <ul>
 * <li>keys configured: they are required; {@code open} is ignored;
 * <li>no key, bound to loopback ({@code server.address} 127.0.0.1, ::1, localhost): open, as the local cluster
 * always was;
 * <li>no key, any other address (also none, which is every interface): refuse to start, unless
 * {@code zootask.gateway.security.open=true}, and then say loudly that the API is open.
 * </ul>
 */
@Component
class ExposureGuard {

    private static final Logger log = LoggerFactory.getLogger(ExposureGuard.class);

    ExposureGuard(ApiKeys keys, GatewaySecurityProperties properties, KeyRateLimiter limiter,
                  Environment environment) {
        String address = environment.getProperty("server.address");
        String where = address == null || address.isBlank() ? "every interface (server.address is not set)" : address;
        if (!keys.isEmpty()) {
            if (properties.open()) {
                log.warn("zootask.gateway.security.open=true is ignored: API keys are configured, so every request"
                        + " except health probes and API docs needs one");
            }
            GatewaySecurityProperties.RateLimit rate = limiter.limit();
            log.info("API keys required ({} configured); rate limit per key: {}", keys.size(),
                    rate.enabled() ? rate.perSecond() + "/s, bursts of " + rate.burst() : "off");
            return;
        }
        if (isLoopback(address)) {
            log.info("no API key configured: the API is open to callers on this machine ({})", where);
            return;
        }
        if (!properties.open()) {
            throw new UnprotectedExposureException(where);
        }
        log.warn("THE API IS OPEN: no API key is configured and zootask.gateway.security.open=true, bound to {}:"
                + " anyone who can reach this port can run commands on the workers and read every task", where);
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address.strip()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
