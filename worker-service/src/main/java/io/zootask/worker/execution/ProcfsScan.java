package io.zootask.worker.execution;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over {@code /proc}: the processes whose environment ({@code /proc/<pid>/environ}, which only processes
 * of the same user, or root, can read) carries one of the given {@code ZOOTASK_EXECUTION} ids. Its cost is one read
 * per process on the machine whatever the number of ids, which is why ids are looked for together
 * ({@link LeftoverSweeper}).
 *
 * <p>A process in the middle of an {@code execve} reads as an empty environment for a moment (the kernel has put in
 * its new memory but not yet the environment): measured here, about one read in sixteen of a process that execs in
 * a loop. Such a process may well be a leftover, so a scan reads it again until its environment is back (at once,
 * then after 1, 2, 4 ... 32 ms). {@code /proc/<pid>/stat} tells it from the processes that have no environment to
 * read: kernel threads, zombies, and processes started with an empty one (whose environment's bounds are set, and
 * equal; mid-exec they are not set yet).
 *
 * <p>A scan remembers, until the next one, what each process it could read carried, by its pid and the identity of
 * its {@code /proc/<pid>} directory (its inode: the kernel gives each process's a new one, and a pid used again gets
 * a new one), so that a process already read costs a {@code stat} instead of an open, a read of another process's
 * memory and a close: a quarter of the time (measured). A process keeps its directory for life; what it carries
 * could change only by an exec with an environment of its own making: a task's descendant that gives up the
 * variable this way is still swept as one (it was read before), and a process that takes one up is not a task's.
 * What cannot be read (another user's process, or one running a set-user-id program) is not remembered, and a
 * process that matches is read again (killed, it lingers as a zombie that carries nothing).
 */
final class ProcfsScan {

    private static final Logger log = LoggerFactory.getLogger(ProcfsScan.class);
    private static final Path PROC = Path.of("/proc");
    private static final byte[] PREFIX = (TaskEnvironment.EXECUTION_VARIABLE + "=").getBytes(StandardCharsets.UTF_8);
    private static final long SELF = ProcessHandle.current().pid();
    /** Reads of a process caught mid-exec: at once, then after 1, 2, 4 ... 32 ms (63 ms in all at most). */
    private static final int SETTLE_READS = 7;
    private static final long FIRST_SETTLE_PAUSE_NANOS = 1_000_000;
    /** {@code PF_KTHREAD} in the flags of {@code /proc/<pid>/stat}. */
    private static final long KERNEL_THREAD_FLAG = 0x00200000;

    /** What a process without a {@code ZOOTASK_EXECUTION} carries. */
    private static final List<String> NONE = List.of();

    private byte[] buffer = new byte[16 * 1024];
    /** Per process of the last scan: the execution ids it carried. */
    private Map<Identity, List<String>> carried = new HashMap<>();
    private long pausedNanos;
    private Set<Long> lastRead = Set.of();
    private final Set<Long> reading = new HashSet<>();
    private Set<Long> lastWaitedFor = Set.of();

    static boolean available() {
        return Files.isDirectory(PROC);
    }

    /** The live processes of each id that has any; ids without processes are absent. */
    Map<String, List<ProcessHandle>> find(Set<String> executionIds) {
        return find(executionIds, pid -> false);
    }

    /** As above, without reading the environment of the processes {@code skip} names. */
    Map<String, List<ProcessHandle>> find(Set<String> executionIds, LongPredicate skip) {
        Map<String, List<ProcessHandle>> found = new HashMap<>();
        if (executionIds.isEmpty() || !available()) {
            return found;
        }
        Set<Long> midExec = new HashSet<>();
        Map<Identity, List<String>> seen = new HashMap<>();
        reading.clear();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                long pid = pidOf(entry.getFileName().toString());
                if (pid > 0 && pid != SELF && !skip.test(pid)) {
                    visit(entry, pid, executionIds, found, midExec, seen);
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", PROC, e.toString());
        }
        carried = seen;
        lastRead = Set.copyOf(reading);
        lastWaitedFor = Set.copyOf(midExec);
        long pause = 0;
        for (int attempt = 0; attempt < SETTLE_READS && !midExec.isEmpty(); attempt++) {
            if (pause > 0) {
                long before = System.nanoTime();
                LockSupport.parkNanos(pause);
                pausedNanos += System.nanoTime() - before;
            }
            pause = pause == 0 ? FIRST_SETTLE_PAUSE_NANOS : pause * 2;
            Set<Long> again = new HashSet<>();
            midExec.forEach(pid -> read(pid, executionIds, found, again));
            midExec = again;
        }
        if (!midExec.isEmpty()) {
            log.debug("processes {} still show no environment; not known to be a task's", midExec);
        }
        return found;
    }

    /** The processes the last scan read again because they were (or seemed) mid-exec. */
    Set<Long> lastWaitedFor() {
        return lastWaitedFor;
    }

    /** The processes whose environment the last pass read (not those it took from the pass before). */
    Set<Long> lastRead() {
        return lastRead;
    }

    /** The time scans spent waiting for processes to finish an exec (not reading: not the sweeper's CPU). */
    long pausedNanos() {
        return pausedNanos;
    }

    /**
     * As {@link #read}, from what the last scan read of the same process if it did and it matches none of {@code ids}.
     * A match is read again: a process killed since it was read lingers as a zombie, which carries nothing.
     */
    private void visit(Path entry, long pid, Set<String> ids, Map<String, List<ProcessHandle>> found,
                       Set<Long> midExec, Map<Identity, List<String>> seen) {
        Identity identity;
        try {
            identity = new Identity(pid, Files.readAttributes(entry, BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return; // gone since the listing
        }
        List<String> known = identity.directory() == null ? null : carried.get(identity);
        List<String> carries = known != null && firstOf(known, ids) == null ? known : read(pid, ids, found, midExec);
        if (identity.directory() != null && carries != null) {
            seen.put(identity, carries);
        }
    }

    /**
     * A process, as far as {@code /proc} tells: its pid and its {@code /proc/<pid>} directory's file key. The kernel
     * numbers such directories from one counter it shares with pipes and sockets, which can wrap: with the pid, a
     * number used again for another process's directory is no confusion.
     */
    private record Identity(long pid, Object directory) {
    }

    /** The first of the ids a process {@code carries} that is one of {@code ids}, or null. */
    private static String firstOf(List<String> carries, Set<String> ids) {
        for (String id : carries) {
            if (ids.contains(id)) {
                return id;
            }
        }
        return null;
    }

    /**
     * Adds {@code pid} to {@code found} if it carries one of {@code ids}, or to {@code midExec} if it may yet; returns
     * the ids it carries, or null if that is not known for good: it cannot be read (gone, another user's, or running
     * a set-user-id program, after which it may be readable again), or it may be mid-exec.
     */
    private List<String> read(long pid, Set<String> ids, Map<String, List<ProcessHandle>> found, Set<Long> midExec) {
        String proc = "/proc/" + pid;
        reading.add(pid);
        int length = readFully(proc + "/environ");
        if (length < 0) {
            return null;
        }
        if (length == 0) {
            if (mayBeMidExec(proc + "/stat")) {
                midExec.add(pid);
                return null;
            }
            return NONE;
        }
        List<String> carries = executionsOf(length);
        String id = firstOf(carries, ids);
        if (id != null) {
            ProcessHandle.of(pid).ifPresent(handle -> found.computeIfAbsent(id, any -> new ArrayList<>()).add(handle));
        }
        return carries;
    }

    /** How many bytes of {@code file} are now in {@code buffer}; -1 if it cannot be read (gone, another user's). */
    private int readFully(String file) {
        int length = 0;
        try (InputStream in = new FileInputStream(file)) {
            int n;
            while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
                length += n;
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return length;
    }

    /**
     * Whether a process whose environment read empty may have one to read in a moment: a live user process whose
     * environment's bounds are not set (mid-exec), or are set and apart (the exec ended since), rather than a kernel
     * thread, a zombie, or a process with an empty environment. {@code comm} may hold spaces and parentheses, so the
     * fields are counted from the last ')': fields[0] is the state (field 3 of proc(5)), fields[6] the flags (9),
     * fields[47] and fields[48] env_start and env_end (50 and 51, since Linux 3.5).
     */
    private boolean mayBeMidExec(String stat) {
        int length = readFully(stat);
        if (length <= 0) {
            return false; // gone meanwhile
        }
        String line = new String(buffer, 0, length, StandardCharsets.US_ASCII).strip();
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        if (fields.length < 7 || fields[0].equals("Z") || fields[0].equals("X")) {
            return false;
        }
        try {
            if ((Long.parseLong(fields[6]) & KERNEL_THREAD_FLAG) != 0) {
                return false;
            }
            if (fields.length < 49) {
                return true; // an older kernel: cannot tell, so look again
            }
            long envStart = Long.parseLong(fields[47]);
            long envEnd = Long.parseLong(fields[48]);
            return envEnd == 0 || envEnd != envStart;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** Every {@code ZOOTASK_EXECUTION} value among the {@code length} bytes in the buffer (almost always one or none). */
    private List<String> executionsOf(int length) {
        List<String> values = null;
        for (int start = 0; start < length; ) {
            int end = start;
            while (end < length && buffer[end] != 0) {
                end++;
            }
            if (startsWithPrefix(start, end)) {
                String id = new String(buffer, start + PREFIX.length, end - start - PREFIX.length,
                        StandardCharsets.UTF_8);
                if (values == null) {
                    values = new ArrayList<>(1);
                }
                values.add(id);
            }
            start = end + 1;
        }
        return values == null ? NONE : List.copyOf(values);
    }

    private boolean startsWithPrefix(int start, int end) {
        if (end - start < PREFIX.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (buffer[start + i] != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
