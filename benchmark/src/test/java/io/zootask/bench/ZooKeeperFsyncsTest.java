package io.zootask.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The slow log syncs a latency run reports: only those its ZooKeeper servers logged during the run. */
class ZooKeeperFsyncsTest {

    private static final String WARNING = "[zookeeper] %s WARN  o.a.z.s.p.FileTxnLog - fsync-ing the write ahead log"
            + " in SyncThread:0 took %dms which will adversely effect operation latency.File size is 67108880 bytes."
            + " See the ZooKeeper troubleshooting guide\n";

    @TempDir
    Path dir;

    @Test
    void readsTheWarningsEveryLogGainedSinceTheMarkAndNothingElse() throws Exception {
        Path one = dir.resolve("zookeeper-1.log");
        Path two = dir.resolve("zookeeper-2.log");
        Path three = dir.resolve("zookeeper-3.log"); // not written yet at the mark
        append(one, String.format(WARNING, "07:00:40.477", 1326) + "[zookeeper] serving on 127.0.0.1:22181\n");

        ZooKeeperFsyncs.Mark mark = ZooKeeperFsyncs.mark(List.of(one, two, three));
        append(one, "[zookeeper] 07:02:21.000 WARN  o.a.z.s.ServerCnxnFactory - maxCnxns is not configured\n"
                + String.format(WARNING, "07:02:22.206", 37));
        append(three, String.format(WARNING, "07:02:46.753", 22) + String.format(WARNING, "07:02:47.001", 316));

        assertThat(mark.since()).containsExactly(new ZooKeeperFsyncs.Fsync("07:02:22.206", 37),
                new ZooKeeperFsyncs.Fsync("07:02:46.753", 22), new ZooKeeperFsyncs.Fsync("07:02:47.001", 316));
    }

    @Test
    void noWarningsNoSyncs() throws Exception {
        Path log = dir.resolve("zookeeper.log");
        append(log, String.format(WARNING, "07:00:40.477", 1326));

        assertThat(ZooKeeperFsyncs.mark(List.of(log)).since()).isEmpty();
    }

    private static void append(Path log, String text) throws Exception {
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
