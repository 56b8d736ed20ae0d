package io.zootask.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZNodesTest {

    @Test
    void pathsFollowTheSeedsLayout() {
        assertThat(ZNodes.taskSequentialPrefix()).isEqualTo("/tasks/task-");
        assertThat(ZNodes.assignment("w1", "task-0000000001")).isEqualTo("/assign/w1/task-0000000001");
        assertThat(ZNodes.status("task-0000000001")).isEqualTo("/status/task-0000000001");
        assertThat(ZNodes.worker("w1")).isEqualTo("/workers/w1");
    }

    @Test
    void namesThatEscapeTheirParentAreRefused() {
        assertThatThrownBy(() -> ZNodes.status("../master")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZNodes.status("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZNodes.task("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queueOrderIsBySequenceNumberWhateverThePrefix() {
        List<String> names = new ArrayList<>(List.of("task-0000000010", "client1-0000000003", "task-0000000002",
                "hand-made"));
        names.sort(ZNodes.TASK_ORDER);
        assertThat(names).containsExactly("task-0000000002", "client1-0000000003", "task-0000000010", "hand-made");
    }

    /** Names exactly as ZooKeeper makes them: the parent's signed 32-bit counter, formatted {@code %010d}. */
    private static String sequential(String prefix, int counter) {
        return prefix + String.format(java.util.Locale.ROOT, "%010d", counter);
    }

    @Test
    void queueOrderHoldsAcrossTheWrapOfZooKeepersCounter() {
        int[] creationOrder = {0, 1, 999_999_999, 1_000_000_000, Integer.MAX_VALUE - 1, Integer.MAX_VALUE,
                Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1_000_000_000, -999_999_999, -2, -1};
        List<String> created = new ArrayList<>();
        for (int counter : creationOrder) {
            created.add(sequential("task-", counter));
        }
        assertThat(created).contains("task--2147483648", "task--999999999", "task--000000001");

        List<String> shuffled = new ArrayList<>(created);
        java.util.Collections.shuffle(shuffled, new java.util.Random(42));
        shuffled.sort(ZNodes.TASK_ORDER);
        assertThat(shuffled).containsExactlyElementsOf(created);
        assertThat(ZNodes.sequenceOf("task--2147483648")).isEqualTo(1L << 31);
        assertThat(ZNodes.sequenceOf("task--000000001")).isEqualTo((1L << 32) - 1);
    }

    @Test
    void aForeignPrefixEndingInADashWrapsLikeOurs() {
        List<String> names = new ArrayList<>(List.of(sequential("client1-", -5), sequential("client1-", 7),
                sequential("client1-", Integer.MIN_VALUE), sequential("job", Integer.MIN_VALUE)));
        names.sort(ZNodes.TASK_ORDER);
        // job-2147483648 exceeds 2^31 - 1, so its dash can only be a sign
        assertThat(names).containsExactly("client1-0000000007", "client1--2147483648", "job-2147483648",
                "client1--000000005");
    }
}
