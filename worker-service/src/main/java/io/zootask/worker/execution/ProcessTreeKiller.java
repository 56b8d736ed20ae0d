package io.zootask.worker.execution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills what a task started: its process, the descendants still attached to it, and the ones already re-parented to
 * init, found by the execution's own {@code ZOOTASK_EXECUTION} variable in {@code /proc/<pid>/environ}. Its hazard
 * is the race with the tree itself: descendants are collected before the parent dies (or they are out of reach),
 * and the leftover search runs a few rounds for processes forked meanwhile.
 */
final class ProcessTreeKiller {

    private static final Logger log = LoggerFactory.getLogger(ProcessTreeKiller.class);
    private static final Path PROC = Path.of("/proc");

    private ProcessTreeKiller() {
    }

    static void killTree(Process process, String executionId) {
        // Collect the descendants before the parent dies, or they are re-parented and out of reach.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        // Those already re-parented (their parent exited before), or forked while the tree was being killed.
        killLeftovers(executionId);
    }

    /**
     * Kills the processes whose environment carries this execution's id (Linux: {@code /proc/<pid>/environ}, which
     * only processes of the same user can read). A few rounds, for processes forked meanwhile.
     *
     * @return how many were killed
     */
    static int killLeftovers(String executionId) {
        if (!Files.isDirectory(PROC)) {
            return 0;
        }
        byte[] marker = (TaskEnvironment.EXECUTION_VARIABLE + "=" + executionId + "\0")
                .getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        int killed = 0;
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> found = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!isPid(name) || Long.parseLong(name) == self) {
                        continue;
                    }
                    if (contains(readQuietly(entry.resolve("environ")), marker)) {
                        ProcessHandle.of(Long.parseLong(name)).ifPresent(found::add);
                    }
                }
            } catch (IOException e) {
                log.debug("cannot list {}: {}", PROC, e.toString());
                return killed;
            }
            if (found.isEmpty()) {
                break;
            }
            for (ProcessHandle handle : found) {
                if (handle.destroyForcibly()) {
                    killed++;
                }
            }
        }
        return killed;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            return new byte[0]; // gone, or another user's
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // variables start after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
