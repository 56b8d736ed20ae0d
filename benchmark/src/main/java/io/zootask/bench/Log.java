package io.zootask.bench;

/** The run log on stdout, each line with the seconds since the run began. */
final class Log {

    private static final long STARTED = System.nanoTime();

    private Log() {
    }

    static void line(String message) {
        System.out.printf("[bench %3d s] %s%n", (System.nanoTime() - STARTED) / 1_000_000_000L, message);
    }
}
