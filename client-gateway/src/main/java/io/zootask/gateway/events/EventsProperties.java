package io.zootask.gateway.events;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zootask.gateway.events.*}: the event stream ({@code GET /events}) and the dashboard's history.
 *
 * @param replay          events kept for clients that reconnect with {@code Last-Event-ID}; one that missed more
 *                        gets a {@code reset} event instead
 * @param heartbeat       a comment line this often on an idle stream: proxies keep it open, and a client that left
 *                        is noticed at the next write
 * @param maxConnection   a stream ends after this long and the client reconnects (with Last-Event-ID, losing nothing):
 *                        no connection is held forever by a client that stopped reading
 * @param clusterCoalesce cluster changes (a slot taken, a worker joining) within this window make one event
 * @param senders         threads that write events to clients; writes never block them (non-blocking servlet I/O)
 * @param history         how far back {@code GET /cluster/history} reaches
 * @param historyInterval the width of one point of that history
 */
@ConfigurationProperties("zootask.gateway.events")
public record EventsProperties(@DefaultValue("20000") int replay,
                               @DefaultValue("10s") Duration heartbeat,
                               @DefaultValue("30m") Duration maxConnection,
                               @DefaultValue("500ms") Duration clusterCoalesce,
                               @DefaultValue("2") int senders,
                               @DefaultValue("15m") Duration history,
                               @DefaultValue("5s") Duration historyInterval) {

    public EventsProperties {
        if (replay < 16) {
            throw new IllegalArgumentException("zootask.gateway.events.replay must be at least 16, not " + replay);
        }
        if (senders < 1) {
            throw new IllegalArgumentException("zootask.gateway.events.senders must be at least 1");
        }
        if (historyInterval.isZero() || historyInterval.isNegative() || history.compareTo(historyInterval) < 0) {
            throw new IllegalArgumentException("zootask.gateway.events.history must be at least one history-interval");
        }
    }

    int historyPoints() {
        return (int) (history.toMillis() / historyInterval.toMillis());
    }
}
