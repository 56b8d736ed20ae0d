package io.zootask.localcluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A zootask service's readiness probe on 127.0.0.1: {@code /actuator/health/readiness} answers 200 once it has
 * started and joined ZooKeeper. Part of this module's public API (see {@link ServiceProcess}).
 */
public final class ReadinessProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private ReadinessProbe() {
    }

    public static boolean isReady(int port) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Asks until the service is ready or {@code within} has passed.
     *
     * @return whether it became ready in time
     */
    public static boolean awaitReady(int port, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (isReady(port)) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(100); // a launcher polling a port: nothing to wait on but time
        }
        return false;
    }
}
