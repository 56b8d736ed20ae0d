package io.zootask.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The slow disk syncs of the ZooKeeper servers' transaction logs during a stretch of a run. A server syncs its log
 * before it answers any write, so while one sync lasts, every write waits: a stall of the whole system. The bench's
 * servers warn of every sync over {@value #THRESHOLD_MILLIS} ms (ZooKeeper's own
 * {@code zookeeper.fsync.warningthresholdms}, 1 000 ms by default); this reads the warnings their logs gained since a
 * {@link #mark}.
 */
final class ZooKeeperFsyncs {

    static final int THRESHOLD_MILLIS = 20;
    static final String JVM_OPTION = "-Dzookeeper.fsync.warningthresholdms=" + THRESHOLD_MILLIS;

    private static final Pattern WARNING = Pattern.compile(
            "(\\d\\d:\\d\\d:\\d\\d\\.\\d+) WARN .*fsync-ing the write ahead log.* took (\\d+)ms");

    /** One sync over the threshold: when its server logged it, and how long it took. */
    record Fsync(String at, long millis) {
    }

    /** Where each server's log ended at the mark. */
    static final class Mark {
        private final Map<Path, Long> sizes;

        private Mark(Map<Path, Long> sizes) {
            this.sizes = sizes;
        }

        /** The warnings logged since the mark, in the order of the logs, then of their lines. */
        List<Fsync> since() throws IOException {
            List<Fsync> slow = new ArrayList<>();
            for (Map.Entry<Path, Long> log : sizes.entrySet()) {
                for (String line : appended(log.getKey(), log.getValue()).split("\n")) {
                    Matcher warning = WARNING.matcher(line);
                    if (warning.find()) {
                        slow.add(new Fsync(warning.group(1), Long.parseLong(warning.group(2))));
                    }
                }
            }
            return slow;
        }
    }

    private ZooKeeperFsyncs() {
    }

    static Mark mark(List<Path> logs) throws IOException {
        Map<Path, Long> sizes = new LinkedHashMap<>();
        for (Path log : logs) {
            sizes.put(log, Files.exists(log) ? Files.size(log) : 0L);
        }
        return new Mark(sizes);
    }

    private static String appended(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(from, Files.size(log)));
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
