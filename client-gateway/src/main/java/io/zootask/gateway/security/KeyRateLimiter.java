package io.zootask.gateway.security;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/**
 * One Bucket4j token bucket per API key: {@code burst} requests at once, refilled at {@code per-second}. In memory and
 * per gateway: N gateways allow N times the rate, which is enough to stop a runaway client without another moving
 * part. Buckets are keyed by key id, so there are at most as many as configured keys.
 */
@Component
class KeyRateLimiter {

    private final GatewaySecurityProperties.RateLimit limit;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public KeyRateLimiter(GatewaySecurityProperties properties) {
        this.limit = properties.rateLimit();
        if (limit.enabled() && (limit.perSecond() < 1 || limit.burst() < 1)) {
            throw new InvalidSecurityConfigurationException("zootask.gateway.security.rate-limit.per-second and"
                    + " .burst must be at least 1 (or set rate-limit.enabled=false)");
        }
    }

    /** Empty when the request may go on; otherwise how long until the key may make one more. */
    public Optional<Duration> tryAcquire(String keyId) {
        if (!limit.enabled()) {
            return Optional.empty();
        }
        ConsumptionProbe probe = buckets.computeIfAbsent(keyId, id -> newBucket()).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    GatewaySecurityProperties.RateLimit limit() {
        return limit;
    }

    private Bucket newBucket() {
        return Bucket.builder().addLimit(Bandwidth.builder().capacity(limit.burst())
                .refillGreedy(limit.perSecond(), Duration.ofSeconds(1)).build()).build();
    }
}
