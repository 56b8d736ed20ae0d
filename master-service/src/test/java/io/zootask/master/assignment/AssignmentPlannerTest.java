package io.zootask.master.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.zootask.master.assignment.AssignmentPlanner.Assignment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssignmentPlannerTest {

    @Test
    void oldestTaskGoesToTheWorkerWithTheMostFreeSlots() {
        Map<String, Integer> free = new LinkedHashMap<>();
        free.put("w1", 1);
        free.put("w2", 3);
        List<Assignment> plan = AssignmentPlanner.plan(List.of("t1", "t2", "t3", "t4"), free);
        assertThat(plan).containsExactly(new Assignment("t1", "w2"), new Assignment("t2", "w2"),
                new Assignment("t3", "w1"), new Assignment("t4", "w2"));
    }

    @Test
    void spreadsEvenlyOverEqualWorkers() {
        List<Assignment> plan = AssignmentPlanner.plan(List.of("t1", "t2", "t3", "t4"), Map.of("a", 2, "b", 2));
        assertThat(plan).extracting(Assignment::workerId).containsExactly("a", "b", "a", "b");
    }

    @Test
    void tasksWaitWhenNoWorkerHasAFreeSlot() {
        List<Assignment> plan = AssignmentPlanner.plan(List.of("t1", "t2", "t3"), Map.of("busy", 0, "w", 1));
        assertThat(plan).containsExactly(new Assignment("t1", "w"));
        assertThat(AssignmentPlanner.plan(List.of("t1"), Map.of())).isEmpty();
    }
}
