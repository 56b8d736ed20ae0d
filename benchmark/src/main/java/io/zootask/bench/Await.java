package io.zootask.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Polls a condition until it holds or the deadline passes: a benchmark driver, not a test. */
final class Await {

    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    static void until(Condition condition, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception notYet) {
                // keep polling
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        throw new IllegalStateException("condition not met within " + within);
    }
}
