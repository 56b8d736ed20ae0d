package io.zootask.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirectoriesTest {

    @TempDir
    Path temp;

    @Test
    void theRootAndEachDirectoryAreTheWorkersUsersAlone() throws IOException {
        Path root = temp.resolve("a/b/tasks");
        WorkDirectories directories = new WorkDirectories(root);
        assertThat(directories.root()).isEqualTo(root.toRealPath());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");

        Path one = directories.create();
        Path two = directories.create();
        assertThat(one).isNotEqualTo(two);
        assertThat(one.getParent()).isEqualTo(directories.root());
        assertThat(one.getFileName().toString()).startsWith("w" + ProcessHandle.current().pid() + "-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(one))).isEqualTo("rwx------");
        assertThat(one).isEmptyDirectory();
    }

    @Test
    void aDirectoryGivenBackEmptyIsReusedAndAnythingElseIsRemoved() throws IOException {
        WorkDirectories directories = new WorkDirectories(temp.resolve("tasks"));
        Path empty = directories.acquire();
        directories.release(empty);
        assertThat(directories.acquire()).isEqualTo(empty);

        Files.writeString(empty.resolve("left"), "x");
        directories.release(empty);
        assertThat(Files.exists(empty, LinkOption.NOFOLLOW_LINKS)).isFalse();

        Path opened = directories.acquire();
        assertThat(opened).isNotEqualTo(empty).isEmptyDirectory();
        Files.setPosixFilePermissions(opened, PosixFilePermissions.fromString("rwxr-xr-x"));
        directories.release(opened);
        assertThat(Files.exists(opened, LinkOption.NOFOLLOW_LINKS)).isFalse();

        // the task moved its directory away and left a link to an empty one in its place
        Path outside = Files.createDirectory(temp.resolve("outside"));
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rwx------"));
        Path swapped = directories.acquire();
        Files.delete(swapped);
        Files.createSymbolicLink(swapped, outside);
        directories.release(swapped);
        assertThat(Files.exists(swapped, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(outside).isEmptyDirectory();

        Path next = directories.acquire();
        assertThat(Files.isSymbolicLink(next)).isFalse();
        assertThat(next).isEmptyDirectory();
        directories.release(next);
        directories.stopReusing();
        assertThat(directories.root()).isEmptyDirectory();
        directories.release(directories.acquire());
        assertThat(directories.root()).as("given back after the stop: removed").isEmptyDirectory();
    }

    @Test
    void anExistingRootIsTightened() throws IOException {
        Path root = Files.createDirectory(temp.resolve("open"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        new WorkDirectories(root);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
    }

    @Test
    void removesEverythingButNeverFollowsALinkOut() throws IOException {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
        WorkDirectories directories = new WorkDirectories(temp.resolve("tasks"));
        Path task = directories.create();
        Path deep = Files.createDirectories(task.resolve("a/b/c"));
        Files.writeString(deep.resolve("f"), "x");
        Files.createSymbolicLink(task.resolve("link-to-dir"), outside);
        Files.createSymbolicLink(deep.resolve("link-to-file"), precious);
        Files.createSymbolicLink(task.resolve("dangling"), temp.resolve("nothing"));
        // the task took its own permissions away
        Path locked = Files.createDirectory(task.resolve("locked"));
        Files.writeString(locked.resolve("inside"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

        assertThat(directories.delete(task)).isTrue();

        assertThat(Files.exists(task, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(precious).hasContent("keep me");
        assertThat(outside).isDirectory();
        assertThat(directories.root()).isEmptyDirectory();
    }

    @Test
    void refusesToDeleteAnythingButATaskDirectory() throws IOException {
        WorkDirectories directories = new WorkDirectories(temp.resolve("tasks"));
        assertThatThrownBy(() -> directories.delete(temp)).isInstanceOf(IllegalArgumentException.class);
        assertThat(temp).isDirectory();
    }

    @Test
    void removesTheDirectoriesOfWorkersThatAreGoneOnly() throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        WorkDirectories directories = new WorkDirectories(temp.resolve("tasks"));
        Path dead = Files.createDirectories(directories.root().resolve("w" + gone.pid() + "-123/inner"))
                .getParent();
        Path mine = directories.create();
        Path other = Files.createDirectory(directories.root().resolve("not-a-task-directory"));

        assertThat(directories.removeLeftovers()).isEqualTo(1);

        assertThat(dead).doesNotExist();
        assertThat(mine).isDirectory();
        assertThat(other).isDirectory();
    }

    @Test
    void refusesARootOfAnotherUser() throws IOException {
        Path root = Files.createDirectory(temp.resolve("theirs"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        UserPrincipal nobody;
        try {
            nobody = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(root, nobody); // only root may give a file away
        } catch (UserPrincipalNotFoundException | java.nio.file.FileSystemException e) {
            assumeTrue(false, "cannot make a directory of another user here: " + e);
            return;
        }
        assertThatThrownBy(() -> new WorkDirectories(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("zootask.worker.work-root").hasMessageContaining("belongs to nobody");
    }

    @Test
    void aRootThatCannotBeMadeStopsTheStart() {
        assertThatThrownBy(() -> new WorkDirectories(Path.of("/proc/no-such-dir/tasks")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("zootask.worker.work-root");
    }
}
