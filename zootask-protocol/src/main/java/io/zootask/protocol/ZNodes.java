package io.zootask.protocol;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one owner of every znode path in zootask. Paths are root-level and un-namespaced on purpose: the seeds' zkCli
 * walk-throughs ({@code create -s /tasks/task- "echo hi"}, {@code create -e /workers/w1 ""}) apply as written.
 *
 * <pre>
 * /tasks/task-NNNNNNNNNN       persistent sequential: a queued task (JSON or a plain command line)
 * /workers/&lt;worker-id&gt;         ephemeral: a live worker (JSON WorkerInfo, or anything: then one slot)
 * /assign/&lt;worker-id&gt;/&lt;task-id&gt; persistent: an assignment; holds the task's data
 * /running/&lt;task-id&gt;            ephemeral, owned by the executing worker's session: the task has started
 * /status/&lt;task-id&gt;             persistent: the final result (JSON TaskStatus, or plain text such as "done")
 * /idempotency/&lt;key-hash&gt;    persistent: an Idempotency-Key's record, created with its task
 * /cancel/&lt;task-id&gt;             persistent: a request to take the task back (anyone may create it)
 * /master                      ephemeral: the active master's identity
 * /election                    Curator LeaderLatch participants (internal to the masters)
 * </pre>
 */
public final class ZNodes {

    public static final String TASKS = "/tasks";
    public static final String WORKERS = "/workers";
    public static final String ASSIGN = "/assign";
    public static final String RUNNING = "/running";
    public static final String STATUS = "/status";
    public static final String MASTER = "/master";
    public static final String ELECTION = "/election";
    public static final String IDEMPOTENCY = "/idempotency";
    public static final String CANCEL = "/cancel";

    /** The parents every component may rely on; created idempotently at start-up by whoever comes first. */
    public static final List<String> ROOTS = List.of(TASKS, WORKERS, ASSIGN, RUNNING, STATUS, ELECTION, IDEMPOTENCY,
            CANCEL);

    /** Name prefix of the sequential task znodes the gateway creates. */
    public static final String TASK_PREFIX = "task-";

    /** What we accept as a task or worker id coming from outside: one znode name, no path tricks. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,200}");

    /**
     * Queue order: by ZooKeeper's sequence suffix ({@link #sequenceOf}), then by name, so tasks created by hand with
     * another prefix ({@code /tasks/client1-0000000003}) still sort oldest first, and so do tasks created after the
     * parent's counter passed 2^31 ({@code task--2147483648} comes after {@code task-2147483647}).
     */
    public static final Comparator<String> TASK_ORDER =
            Comparator.comparingLong(ZNodes::sequenceOf).thenComparing(Comparator.naturalOrder());

    private ZNodes() {
    }

    public static String taskSequentialPrefix() {
        return TASKS + "/" + TASK_PREFIX;
    }

    public static String task(String taskId) {
        return TASKS + "/" + requireName(taskId);
    }

    public static String worker(String workerId) {
        return WORKERS + "/" + requireName(workerId);
    }

    public static String assignments(String workerId) {
        return ASSIGN + "/" + requireName(workerId);
    }

    public static String assignment(String workerId, String taskId) {
        return assignments(workerId) + "/" + requireName(taskId);
    }

    public static String running(String taskId) {
        return RUNNING + "/" + requireName(taskId);
    }

    public static String status(String taskId) {
        return STATUS + "/" + requireName(taskId);
    }

    /** A request to cancel the task: the master takes a queued task back, its worker an assigned or running one. */
    public static String cancel(String taskId) {
        return CANCEL + "/" + requireName(taskId);
    }

    /** The record of an Idempotency-Key, named by the key's SHA-256 so any key is a safe, bounded name. */
    public static String idempotencyRecord(String key) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return IDEMPOTENCY + "/" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * A child of {@code parent} whose name came from ZooKeeper itself (a getChildren answer), so it may be any name
     * ZooKeeper allows, not only the ones zootask makes: only a name that would leave its parent is refused.
     */
    public static String childOf(String parent, String name) {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a child name: " + name);
        }
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    /** The last segment of a path: {@code /tasks/task-0000000001 -> task-0000000001}. */
    public static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The parent of a path: {@code /assign/w1/task-1 -> /assign/w1}. */
    public static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    public static String requireName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("not a valid znode name: " + name);
        }
        return name;
    }

    /**
     * The sequence number ZooKeeper appended to a sequential name, as an unsigned position in creation order, or
     * {@link Long#MAX_VALUE} if there is none.
     *
     * <p>ZooKeeper appends its parent's counter, a signed 32-bit int, as {@code %010d}: ten digits up to 2^31 - 1,
     * then, once the counter wraps, negative numbers ({@code -2147483648} up to {@code -000000001}). Read as unsigned,
     * the wrapped numbers come after every earlier one, so creation order holds for 2^32 creations in a parent. A
     * {@code -} before ten digits is a sign when the prefix itself ends in {@code -} (ours, {@code task-}, gives
     * {@code task--2147483648}) or when the digits exceed 2^31 - 1; a foreign prefix such as {@code job} followed by
     * a wrapped number ({@code job-1500000000}) cannot be told from {@code job-} + 1500000000, and reads as the latter.
     */
    public static long sequenceOf(String name) {
        int digits = 0;
        for (int i = name.length() - 1; i >= 0 && Character.isDigit(name.charAt(i)) && digits < 10; i--) {
            digits++;
        }
        int start = name.length() - digits;
        boolean minus = start > 0 && name.charAt(start - 1) == '-';
        if (digits == 9 && minus) {
            // parsed in place: this runs in every comparison of task names (queues, the retention index)
            return Integer.toUnsignedLong(-Integer.parseInt(name, start, name.length(), 10)); // -000000001 .. -999999999
        }
        if (digits < 10) {
            return Long.MAX_VALUE;
        }
        long value = Long.parseLong(name, start, name.length(), 10);
        boolean signed = minus && value >= 1_000_000_000L
                && (value > Integer.MAX_VALUE || (start > 1 && name.charAt(start - 2) == '-'));
        if (signed && value <= -(long) Integer.MIN_VALUE) {
            return Integer.toUnsignedLong((int) -value);  // -1000000000 .. -2147483648
        }
        return value;
    }
}
