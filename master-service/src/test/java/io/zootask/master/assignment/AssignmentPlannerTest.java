package io.zootask.master.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.master.assignment.AssignmentPlanner.Assignment;
import io.zootask.master.cluster.QueuedTask;
import io.zootask.master.cluster.TaskQueue;
import io.zootask.protocol.TaskSpec;
import io.zootask.protocol.WorkerInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner's decisions, from a queue and workers as the model holds them. */
class AssignmentPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private final TaskQueue queue = new TaskQueue();
    private final Map<String, WorkerInfo> workers = new HashMap<>();
    private final AssignmentPlanner planner = new AssignmentPlanner();

    private void task(int sequence, Integer priority, Map<String, String> requires, Instant notBefore) {
        String id = String.format("task-%010d", sequence);
        TaskSpec spec = new TaskSpec(List.of("true"), null, 1, null, null, null, null, null, notBefore, priority,
                requires, null);
        queue.put(new QueuedTask(id, spec, new byte[0], 0), NOW);
    }

    private void task(int sequence) {
        task(sequence, null, null, null);
    }

    private void worker(String id, Map<String, String> labels, Boolean reserved) {
        workers.put(id, new WorkerInfo(id, null, null, 100, null, labels, reserved));
    }

    private List<String> plan(Map<String, Integer> free) {
        return planner.plan(queue.readyGroups(), workers, free, id -> false).stream()
                .map(a -> a.taskId().substring(5).replaceFirst("^0+", "") + "@" + a.workerId()).toList();
    }

    @Test
    void oldestTaskGoesToTheWorkerWithTheMostFreeSlots() {
        for (int i = 1; i <= 4; i++) {
            task(i);
        }
        worker("w1", null, null);
        worker("w2", null, null);
        Map<String, Integer> free = new LinkedHashMap<>();
        free.put("w1", 1);
        free.put("w2", 3);
        assertThat(plan(free)).containsExactly("1@w2", "2@w2", "3@w1", "4@w2");
    }

    @Test
    void tasksWaitWhenNoWorkerHasAFreeSlot() {
        task(1);
        task(2);
        worker("busy", null, null);
        worker("w", null, null);
        assertThat(plan(Map.of("busy", 0, "w", 1))).containsExactly("1@w");
        assertThat(plan(Map.of())).isEmpty();
    }

    @Test
    void higherPriorityFirstThenOldestFirst() {
        task(1, 1, null, null);
        task(2, 9, null, null);
        task(3, 5, null, null);
        task(4, 9, null, null);
        worker("w", null, null);
        assertThat(plan(Map.of("w", 4))).containsExactly("2@w", "4@w", "3@w", "1@w");
    }

    @Test
    void aFloodOfUrgentTasksLeavesTheOldestOneInTenAssignments() {
        task(1, 0, null, null); // the oldest, and the least urgent
        for (int i = 2; i <= 40; i++) {
            task(i, 9, null, null);
        }
        worker("w", null, null);
        List<String> plan = plan(Map.of("w", 10));
        assertThat(plan).hasSize(10).contains("1@w");
        assertThat(plan.indexOf("1@w")).isEqualTo(AssignmentPlanner.SHARE - 1);
    }

    @Test
    void requiredLabelsChooseTheWorkerAndTasksWithoutThemRunAnywhereButOnAReservedOne() {
        task(1, null, Map.of("pool", "gpu"), null);
        task(2, null, null, null);
        task(3, null, Map.of("pool", "tpu"), null);
        worker("cpu", null, null);
        worker("gpu", Map.of("pool", "gpu"), true);
        assertThat(plan(Map.of("cpu", 5, "gpu", 5))).containsExactly("1@gpu", "2@cpu");
    }

    @Test
    void aDelayedTaskWaitsForItsTime() {
        task(1, null, null, NOW.plusSeconds(30));
        task(2);
        worker("w", null, null);
        assertThat(plan(Map.of("w", 5))).containsExactly("2@w");
        assertThat(queue.nextDue()).contains(NOW.plusSeconds(30));
        queue.promoteDue(NOW.plusSeconds(30));
        assertThat(plan(Map.of("w", 5))).contains("1@w");
    }

    @Test
    void aTaskHeldForCancellationIsNotPlanned() {
        task(1);
        task(2);
        worker("w", null, null);
        List<Assignment> plan = planner.plan(queue.readyGroups(), workers, Map.of("w", 5),
                id -> id.equals("task-0000000001"));
        assertThat(plan).extracting(Assignment::taskId).containsExactly("task-0000000002");
    }
}
