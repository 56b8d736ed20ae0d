package io.zootask.bench;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Where the slowest tasks of a latency run spent their time, in the bench's log: each one's moments (the gateway's
 * {@code submittedAt}, the worker's {@code startedAt} and {@code finishedAt}, the POST's answer, the long-poll's),
 * in milliseconds from when the client sent it. A stall shows as the gap it sits in: before {@code submittedAt} the
 * gateway (or ZooKeeper's create), up to {@code startedAt} the master's assignment, after {@code finishedAt} the
 * status write and the long-poll. The wall-clock times find the same moment in the services' GC and safepoint logs
 * ({@code BENCH_JVM_OPTIONS}).
 */
final class SlowTasks {

    private SlowTasks() {
    }

    static void log(Collection<LoadGenerator.Trace> traces, int count) {
        List<LoadGenerator.Trace> slowest = traces.stream()
                .sorted(Comparator.comparingLong(LoadGenerator.Trace::totalMicros).reversed()).limit(count).toList();
        for (LoadGenerator.Trace trace : slowest) {
            Log.line(String.format("    slow: %s sent %s: submitted +%s, started +%s, finished +%s, POST answered"
                            + " +%.1f, long-poll answered +%.1f ms",
                    GatewayClient.field(trace.task(), "id"), Instant.ofEpochMilli(trace.sentAtMillis()),
                    since(trace, "submittedAt"), since(trace, "startedAt"), since(trace, "finishedAt"),
                    trace.postMicros() / 1000.0, trace.totalMicros() / 1000.0));
        }
    }

    private static String since(LoadGenerator.Trace trace, String field) {
        String at = GatewayClient.field(trace.task(), field);
        return at == null ? "?" : Long.toString(Instant.parse(at).toEpochMilli() - trace.sentAtMillis());
    }
}
