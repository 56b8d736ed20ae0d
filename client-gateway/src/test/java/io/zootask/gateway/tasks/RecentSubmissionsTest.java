package io.zootask.gateway.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.protocol.TaskSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentSubmissionsTest {

    @Test
    void keepsTheNewestUpToItsCapacityWithoutCommandOrOutput() {
        RecentSubmissions recent = new RecentSubmissions(2);
        for (int i = 1; i <= 3; i++) {
            recent.add(TaskView.queued("task-000000000" + i, new TaskSpec(List.of("echo", "x".repeat(1000)), null, 1,
                    null, Instant.EPOCH, "s" + i, "alice")));
        }
        assertThat(recent.find("task-0000000001")).isEmpty();
        TaskView kept = recent.find("task-0000000003").orElseThrow();
        assertThat(kept.submittedBy()).isEqualTo("alice");
        assertThat(kept.command()).isNull();
        assertThat(recent.find("task-0000000002")).isPresent();
    }
}
