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
}
