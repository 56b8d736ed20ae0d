package io.zootask.worker.execution;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over {@code /proc}: the processes whose environment ({@code /proc/<pid>/environ}, which only processes
 * of the same user, or root, can read) carries one of the given {@code ZOOTASK_EXECUTION} ids. Its cost is one read
 * per process on the machine whatever the number of ids, which is why ids are looked for together
 * ({@link LeftoverSweeper}).
 */
final class ProcfsScan {

    private static final Logger log = LoggerFactory.getLogger(ProcfsScan.class);
    private static final Path PROC = Path.of("/proc");
    private static final byte[] PREFIX = (TaskEnvironment.EXECUTION_VARIABLE + "=").getBytes(StandardCharsets.UTF_8);
    private static final long SELF = ProcessHandle.current().pid();

    private byte[] buffer = new byte[16 * 1024];

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
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                long pid = pidOf(name);
                if (pid <= 0 || pid == SELF || skip.test(pid)) {
                    continue;
                }
                String id = executionOf("/proc/" + name + "/environ", executionIds);
                if (id != null) {
                    ProcessHandle.of(pid).ifPresent(handle ->
                            found.computeIfAbsent(id, any -> new ArrayList<>()).add(handle));
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", PROC, e.toString());
        }
        return found;
    }

    /** The first of {@code ids} the process's {@code ZOOTASK_EXECUTION} names, or null (gone, another user's). */
    private String executionOf(String environ, Set<String> ids) {
        int length = 0;
        try (InputStream in = new FileInputStream(environ)) {
            int n;
            while ((n = in.read(buffer, length, buffer.length - length)) > 0) {
                length += n;
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        for (int start = 0; start < length; ) {
            int end = start;
            while (end < length && buffer[end] != 0) {
                end++;
            }
            if (startsWithPrefix(start, end)) {
                String id = new String(buffer, start + PREFIX.length, end - start - PREFIX.length,
                        StandardCharsets.UTF_8);
                if (ids.contains(id)) {
                    return id;
                }
            }
            start = end + 1;
        }
        return null;
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
