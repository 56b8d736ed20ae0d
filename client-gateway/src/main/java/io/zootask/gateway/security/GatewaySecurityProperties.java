package io.zootask.gateway.security;

import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zootask.gateway.security.*}: who may call the gateway, and how often.
 *
 * <p>With no key configured the gateway is open: every request may do everything. That is only allowed on a loopback
 * address (the local cluster), or when {@code open} says so explicitly; see {@link ExposureGuard}.
 *
 * @param keys      the API keys; from configuration or the environment
 *                  ({@code ZOOTASK_GATEWAY_SECURITY_KEYS_0_ID}, {@code ..._0_SHA256}, {@code ..._0_ROLES})
 * @param open      serve without keys on a non-loopback address: anyone who reaches the port may run commands on the
 *                  workers, so it must be said explicitly (behind a proxy that authenticates, say). Ignored when keys
 *                  are configured
 * @param rateLimit requests per key
 */
@ConfigurationProperties("zootask.gateway.security")
record GatewaySecurityProperties(List<Key> keys,
                                        @DefaultValue("false") boolean open,
                                        @DefaultValue RateLimit rateLimit) {

    public GatewaySecurityProperties {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }

    /**
     * One API key. Give its SHA-256 ({@code printf %s "$KEY" | sha256sum}) so that the configuration holds no secret;
     * a plain {@code key} is accepted for convenience (an environment variable of a container) and hashed at start.
     *
     * @param id     a short public name (letters, digits, {@code _ . -}): recorded in each task it submits, logged,
     *               shown in the task JSON; never the key
     * @param sha256 the key's SHA-256, 64 hex digits
     * @param key    the key itself, instead of {@code sha256}; at least 16 characters
     * @param roles  {@code submit}, {@code read}, {@code admin}; comma-separated in an environment variable
     */
    public record Key(String id, String sha256, String key, Set<Role> roles) {

        /** Never prints the key: this record may end up in a log line or an exception message. */
        @Override
        public String toString() {
            return "Key[id=" + id + ", roles=" + roles + (key != null ? ", key=******" : "")
                    + (sha256 != null ? ", sha256=******" : "") + "]"; // an unsalted hash of a short key is guessable
        }
    }

    /**
     * A token bucket per API key (Bucket4j, in memory, per gateway instance). Requests of an open gateway (no keys)
     * are not limited: it serves loopback, or sits behind something that already controls who comes in.
     *
     * @param enabled   whether keys are limited at all
     * @param perSecond sustained requests per second and key
     * @param burst     requests a key may make at once after being idle
     */
    public record RateLimit(@DefaultValue("true") boolean enabled,
                            @DefaultValue("50") long perSecond,
                            @DefaultValue("100") long burst) {
    }
}
