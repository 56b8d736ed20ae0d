package io.zootask.master.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The queued tasks the master knows of, in three kinds: <em>unread</em> (created, data not read yet),
 * <em>delayed</em> (read, {@code notBefore} still ahead) and <em>ready</em>. Ready tasks are grouped by what they
 * require of a worker, so that planning skips a whole group no free worker can run instead of walking its tasks;
 * each group is ordered by priority, and by age for the share of assignments that goes to the oldest task.
 *
 * <p>Touched by the active master's one thread only.
 */
public final class TaskQueue {

    /** The ready tasks that require the same labels of a worker. */
    public static final class Group {
        private final Map<String, String> requires;
        private final TreeSet<QueuedTask> byPriority = new TreeSet<>(QueuedTask.BY_PRIORITY);
        private final TreeSet<QueuedTask> byAge = new TreeSet<>(QueuedTask.BY_AGE);

        Group(Map<String, String> requires) {
            this.requires = requires;
        }

        public Map<String, String> requires() {
            return requires;
        }

        /** Highest priority first, oldest first within one. */
        public Iterable<QueuedTask> byPriority() {
            return byPriority;
        }

        /** Oldest first. */
        public Iterable<QueuedTask> byAge() {
            return byAge;
        }

        boolean isEmpty() {
            return byPriority.isEmpty();
        }
    }

    private final Set<String> unread = new LinkedHashSet<>();
    private final Map<String, QueuedTask> read = new HashMap<>();
    private final TreeSet<QueuedTask> delayed = new TreeSet<>(QueuedTask.BY_DUE);
    private final Map<Map<String, String>, Group> groups = new HashMap<>();
    private final int[] readyByPriority = new int[10];

    /** A task znode exists: its data is still to be read. */
    public void add(String id) {
        if (!read.containsKey(id)) {
            unread.add(id);
        }
    }

    /** Its data changed (or a write based on it was refused): read it again before planning it. */
    public void reread(String id) {
        if (remove(id)) {
            unread.add(id);
        }
    }

    /** The task's data as read; it is ready, or delayed until its {@code notBefore}. */
    public void put(QueuedTask task, Instant now) {
        remove(task.id());
        read.put(task.id(), task);
        if (task.dueBy(now)) {
            ready(task);
        } else {
            delayed.add(task);
        }
    }

    /** @return whether the task was known */
    public boolean remove(String id) {
        boolean wasUnread = unread.remove(id);
        QueuedTask task = read.remove(id);
        if (task == null) {
            return wasUnread;
        }
        if (!(task.spec().notBefore() != null && delayed.remove(task))) {
            Group group = groups.get(task.requires());
            if (group != null && group.byPriority.remove(task)) {
                group.byAge.remove(task);
                readyByPriority[task.priority()]--;
                if (group.isEmpty()) {
                    groups.remove(task.requires());
                }
            }
        }
        return true;
    }

    public boolean contains(String id) {
        return unread.contains(id) || read.containsKey(id);
    }

    /** The task as read, if it has been. */
    public Optional<QueuedTask> get(String id) {
        return Optional.ofNullable(read.get(id));
    }

    /** Makes ready every delayed task whose time has come. */
    public void promoteDue(Instant now) {
        while (!delayed.isEmpty() && delayed.first().dueBy(now)) {
            ready(delayed.pollFirst());
        }
    }

    /** When the next delayed task becomes due. */
    public Optional<Instant> nextDue() {
        return delayed.isEmpty() ? Optional.empty() : Optional.of(delayed.first().spec().notBefore());
    }

    public List<String> unread() {
        return new ArrayList<>(unread);
    }

    public Collection<Group> readyGroups() {
        return groups.values();
    }

    /** Every task known to be queued: unread, delayed or ready. */
    public int size() {
        return unread.size() + read.size();
    }

    public int delayedCount() {
        return delayed.size();
    }

    /** Ready tasks of each priority, 0 to 9. */
    public int readyWithPriority(int priority) {
        return readyByPriority[priority];
    }

    public void clear() {
        unread.clear();
        read.clear();
        delayed.clear();
        groups.clear();
        java.util.Arrays.fill(readyByPriority, 0);
    }

    private void ready(QueuedTask task) {
        Group group = groups.computeIfAbsent(task.requires(), Group::new);
        group.byPriority.add(task);
        group.byAge.add(task);
        readyByPriority[task.priority()]++;
    }
}
