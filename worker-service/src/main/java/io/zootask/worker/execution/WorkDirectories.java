package io.zootask.worker.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The working directories of tasks: each execution gets an empty directory of its own under one root, readable only
 * by the worker's user ({@code rwx------}), and gives it back when it ends.
 *
 * <p>A directory given back empty, still a directory (not a link) and still {@code rwx------} is kept for a later
 * task ({@link #acquire}/{@link #release}); any other is removed at once. Creating and removing a directory per task
 * both take the root's lock, and with many short tasks that contention was a fifth of the worker's CPU per task;
 * reading a directory that turns out empty takes no lock of the root's. A task never finds another's files: a reused
 * directory held none when it was given back, after every process of the task that carried its execution id was
 * killed. (A process that escaped that, by giving up the id and detaching, runs as the worker's user and could write
 * into any task's directory under the root anyway, reused or new.)
 *
 * <p>Removal never follows a symbolic link: on Linux it works through {@link SecureDirectoryStream} (each step
 * relative to an open directory, opened without following links), so a link the task leaves behind, or swaps in for
 * a directory while the removal runs, is removed itself and what it points to is not touched. Entries the task made
 * unreadable or unwritable (it runs as the worker's user) are given back their owner's permissions first.
 *
 * <p>A directory is named {@code w<worker pid>-<random>}; at start, directories of worker processes that no longer
 * exist (killed with {@code -9}, so they could not clean up) are removed. The root must therefore be local to this
 * host, not shared with workers on other hosts.
 */
public final class WorkDirectories {

    private static final Logger log = LoggerFactory.getLogger(WorkDirectories.class);

    /** Deeper than this, a task's tree is left in place (with a warning) rather than exhaust file descriptors. */
    static final int MAX_DEPTH = 200;

    private static final Pattern NAME = Pattern.compile("w(\\d{1,19})-.+");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** Idle directories kept for reuse at most: beyond what the slots of one worker keep busy, they are removed. */
    static final int MAX_IDLE = 256;

    private final Path root;
    private final boolean posix;
    /** Empty directories ready for the next task, the most recently given back first (warm in the kernel's cache). */
    private final ConcurrentLinkedDeque<Path> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean reusing = true;
    private final String prefix = "w" + ProcessHandle.current().pid() + "-";

    /**
     * Creates {@code root} if needed ({@code rwx------}) and checks it belongs to the worker's user: the default is
     * under the shared {@code /tmp}, where another user could have made it first.
     *
     * @throws IllegalStateException if the root cannot be used, saying why
     */
    public WorkDirectories(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        this.posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(absolute)) {
                Files.createDirectories(absolute, ownerOnly());
            }
            if (Files.isSymbolicLink(absolute)) {
                checkOwnedByUs(absolute, absolute, LinkOption.NOFOLLOW_LINKS);
            }
            this.root = absolute.toRealPath();
            checkOwnedByUs(absolute, this.root);
            if (posix && !Files.getPosixFilePermissions(this.root).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(this.root, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new IllegalStateException("zootask.worker.work-root: cannot use " + absolute + " for the tasks'"
                    + " working directories: " + e, e);
        }
    }

    /** {@code <java.io.tmpdir>/zootask-tasks}. */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "zootask-tasks");
    }

    public Path root() {
        return root;
    }

    /** An empty directory, {@code rwx------}, directly under the root: one given back empty, or a new one. */
    Path acquire() throws IOException {
        Path reused = idle.pollFirst();
        if (reused != null) {
            idleCount.decrementAndGet();
            return reused;
        }
        return create();
    }

    /**
     * Takes back {@code directory} (one from {@link #acquire}) once nothing of its task runs any more: kept for a
     * later task if it is empty, still a directory and still {@code rwx------}, removed with everything in it if not.
     */
    void release(Path directory) {
        if (reusing && idleCount.get() < MAX_IDLE && isEmptyAndPrivate(directory)) {
            idleCount.incrementAndGet();
            idle.addFirst(directory);
            if (reusing) {
                return;
            }
            removeIdle(); // stopped meanwhile
            return;
        }
        delete(directory);
    }

    /** When the worker stops: the idle directories are removed, and from now on every one given back. */
    void stopReusing() {
        reusing = false;
        removeIdle();
    }

    private void removeIdle() {
        for (Path directory = idle.pollFirst(); directory != null; directory = idle.pollFirst()) {
            idleCount.decrementAndGet();
            delete(directory);
        }
    }

    private boolean isEmptyAndPrivate(Path directory) {
        try {
            if (posix) {
                PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isDirectory() || !attributes.permissions().equals(OWNER_ONLY)) {
                    return false;
                }
            } else if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                return !entries.iterator().hasNext();
            }
        } catch (IOException | RuntimeException e) {
            return false; // gone, unreadable or odd: removing it says why, if it can tell
        }
    }

    /** A new, empty directory, {@code rwx------}, directly under the root. */
    Path create() throws IOException {
        return posix ? Files.createTempDirectory(root, prefix, ownerOnly()) : Files.createTempDirectory(root, prefix);
    }

    /**
     * Removes {@code directory} (one made by {@link #create}) and everything in it, never following a link.
     *
     * @return whether it is gone
     */
    boolean delete(Path directory) {
        if (!root.equals(directory.getParent())) {
            throw new IllegalArgumentException(directory + " is not a task directory under " + root);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                deleteChildOfRoot(directory.getFileName());
                return true;
            } catch (NoSuchFileException gone) {
                return true;
            } catch (DirectoryNotEmptyException e) {
                // something still writes into it (a process that escaped the kill); try again, then give up
                if (attempt == 5) {
                    log.warn("cannot remove task directory {}: something keeps writing into it", directory);
                    return false;
                }
                // killed processes may finish a write they were in; not interruptible: this runs in finally blocks
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20L * attempt));
            } catch (IOException | RuntimeException e) {
                log.warn("cannot remove task directory {}: {}", directory, e.toString());
                return false;
            }
        }
    }

    /** Removes the directories of worker processes that are gone; returns how many. */
    public int removeLeftovers() {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                Matcher matcher = NAME.matcher(entry.getFileName().toString());
                if (matcher.matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && !isAlive(matcher.group(1))) {
                    stale.add(entry);
                }
            }
        } catch (IOException e) {
            log.warn("cannot look for old task directories in {}: {}", root, e.toString());
            return 0;
        }
        int removed = 0;
        for (Path directory : stale) {
            if (delete(directory)) {
                removed++;
            }
        }
        return removed;
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours to judge
        }
    }

    private void deleteChildOfRoot(Path name) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
            if (stream instanceof SecureDirectoryStream<Path> secure) {
                deleteIn(secure, name, root.resolve(name), 0);
                return;
            }
        }
        deleteByPath(root.resolve(name));
    }

    /** Removes the entry {@code name} of the open directory {@code parent}; {@code path} is for messages. */
    private void deleteIn(SecureDirectoryStream<Path> parent, Path name, Path path, int depth) throws IOException {
        BasicFileAttributes attributes = parent
                .getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!attributes.isDirectory()) {
            parent.deleteFile(name); // a file, or a link itself: unlinked, its target untouched
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new IOException(path + " is nested deeper than " + MAX_DEPTH + " directories");
        }
        SecureDirectoryStream<Path> directory;
        try {
            directory = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            giveBackToOwner(path);
            directory = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        }
        try (SecureDirectoryStream<Path> open = directory) {
            List<Path> names = new ArrayList<>();
            for (Path entry : open) {
                names.add(entry.getFileName());
            }
            for (Path entry : names) {
                try {
                    deleteIn(open, entry, path.resolve(entry), depth + 1);
                } catch (AccessDeniedException e) {
                    // the task took the write permission of this directory away
                    giveBackToOwner(path);
                    deleteIn(open, entry, path.resolve(entry), depth + 1);
                } catch (NoSuchFileException gone) {
                    // removed meanwhile
                }
            }
        }
        parent.deleteDirectory(name);
    }

    /** Without {@link SecureDirectoryStream}: the walk does not follow links, but is open to a swap race. */
    private void deleteByPath(Path directory) throws IOException {
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                giveBackToOwner(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Gives a directory of the task back its owner's permissions. Only ever called for what was seen as a directory
     * without following links; should a process swap it for a link in between, the change lands on a file of the
     * worker's user, which that process (running as that user) could change itself anyway.
     */
    private void giveBackToOwner(Path directory) throws IOException {
        if (posix && !Files.isSymbolicLink(directory)) {
            Files.setPosixFilePermissions(directory, OWNER_ONLY);
        }
    }

    private FileAttribute<?>[] ownerOnly() {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
    }

    /** The worker's user is who owns a file the worker just made. */
    private void checkOwnedByUs(Path configured, Path path, LinkOption... options) throws IOException {
        UserPrincipal owner;
        try {
            owner = Files.getOwner(path, options);
        } catch (UnsupportedOperationException e) {
            return;
        }
        Path probe = Files.createTempFile(path.toRealPath(), ".owner-", ".probe");
        try {
            UserPrincipal us = Files.getOwner(probe);
            if (!owner.equals(us)) {
                throw new IllegalStateException("zootask.worker.work-root: " + configured + " belongs to " + owner
                        + ", not to the worker's user " + us + "; another user may have made it: choose another"
                        + " directory");
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
