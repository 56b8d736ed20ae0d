package io.zootask.worker.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which executables a task may run on this worker, and where each one is: a bare name from the allowlist, looked up
 * in the configured executable directories only (never in the worker's {@code PATH}), as an absolute path.
 *
 * <p>A name is one path element: no {@code /} or {@code \}, not {@code .} or {@code ..}, not empty, no NUL. So
 * {@code <directory>/<name>} names an entry of that directory and nothing else; the name cannot climb out. The entry
 * may be a symbolic link, also to a file outside the directory (Debian's {@code /usr/bin/awk} points through
 * {@code /etc/alternatives}): the directories are trusted, and whoever may put links there chose them. The link's
 * real target (after {@link Path#toRealPath}) must be a regular, executable file. The process is started as
 * {@code <directory>/<name>}, not as the target, so that multi-call programs (busybox, whose links all point to one
 * file) still see the name they were called by.
 *
 * <p>With {@code allowAny}, any bare name is looked up the same way and an absolute path is run as given (if it is
 * an executable regular file); a relative path is still refused, since it would be relative to the task's fresh,
 * empty working directory.
 */
public final class ExecutablePolicy {

    /** {@code zootask.worker.executable-directories} unless configured. */
    public static final List<Path> DEFAULT_DIRECTORIES = List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"),
            Path.of("/bin"));

    private final Set<String> allowed;
    private final boolean allowAny;
    private final List<Path> directories;

    /**
     * @param allowed     bare names a task may run
     * @param allowAny    any name or absolute path may run
     * @param directories where names are looked up, in this order; absolute
     * @throws IllegalArgumentException if a name or a directory cannot be one, saying which and why
     */
    public ExecutablePolicy(List<String> allowed, boolean allowAny, List<Path> directories) {
        for (String name : allowed) {
            nameProblem(name).ifPresent(problem -> {
                throw new IllegalArgumentException("zootask.worker.allowed-executables: '" + name + "' " + problem
                        + "; give bare names and list their directories in zootask.worker.executable-directories");
            });
        }
        this.allowed = new TreeSet<>(allowed);
        this.allowAny = allowAny;
        this.directories = checkedDirectories(directories);
    }

    /** What the allowlist and the directories say about one command. */
    public record Resolution(Path executable, String refusal) {

        static Resolution of(Path executable) {
            return new Resolution(executable, null);
        }

        static Resolution refused(String reason) {
            return new Resolution(null, reason);
        }

        public boolean isRefused() {
            return executable == null;
        }
    }

    public List<Path> directories() {
        return directories;
    }

    /**
     * Empty when the command's name may run, otherwise the reason it may not, fit for a {@code failed} status. Looks
     * at the name only, not at the file system: {@link #resolve} also finds the file.
     */
    public Optional<String> refusal(List<String> command) {
        if (command.isEmpty()) {
            return Optional.of("the command is empty");
        }
        if (Builtins.isBuiltin(command)) {
            return Optional.empty();
        }
        String executable = command.get(0);
        Optional<String> problem = nameProblem(executable);
        if (allowAny) {
            if (problem.isEmpty() || (isAbsolute(executable) && !executable.contains("\0"))) {
                return Optional.empty();
            }
            return Optional.of("executable '" + printable(executable) + "' is not allowed: give a bare name"
                    + " (looked up in " + directories + ") or an absolute path");
        }
        if (problem.isPresent()) {
            return Optional.of("executable '" + printable(executable) + "' is not allowed: give a bare name from the"
                    + " worker's allowlist " + allowed + ", not a path (it " + problem.get() + ")");
        }
        if (!allowed.contains(executable)) {
            return Optional.of("executable '" + printable(executable) + "' is not allowed on this worker (allowed: "
                    + String.join(", ", allowed) + "; set zootask.worker.allowed-executables to change it)");
        }
        return Optional.empty();
    }

    /**
     * The absolute path to start for this command, or why not: {@link #refusal} first, then the name looked up in
     * the directories. The worker's {@code PATH} plays no part.
     */
    public Resolution resolve(List<String> command) {
        Optional<String> refused = refusal(command);
        if (refused.isPresent()) {
            return Resolution.refused(refused.get());
        }
        if (Builtins.isBuiltin(command)) {
            return Resolution.refused("'" + Builtins.NOOP + "' is carried out by the worker, not started");
        }
        String executable = command.get(0);
        if (allowAny && isAbsolute(executable)) {
            Path path = Path.of(executable);
            return isExecutableFile(path) ? Resolution.of(path)
                    : Resolution.refused("cannot start '" + executable + "': no such executable file");
        }
        for (Path directory : directories) {
            Path candidate = directory.resolve(executable);
            // A name is one element, so this always holds; checked again because it is the whole point.
            if (directory.equals(candidate.getParent()) && isExecutableFile(candidate)) {
                return Resolution.of(candidate);
            }
        }
        return Resolution.refused("cannot start '" + executable + "': no such executable in the worker's executable"
                + " directories " + directories + " (zootask.worker.executable-directories; PATH is not searched)");
    }

    /** Empty if {@code name} is a single, ordinary path element; otherwise what is wrong with it. */
    static Optional<String> nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("is empty");
        }
        if (name.contains("/") || name.contains("\\")) {
            return Optional.of("contains a path separator");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("names a directory");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("contains a NUL character");
        }
        return Optional.empty();
    }

    private static boolean isAbsolute(String executable) {
        return executable.startsWith("/");
    }

    /** The real file (symbolic links followed) is a regular file we may execute. */
    private static boolean isExecutableFile(Path path) {
        try {
            Path real = path.toRealPath();
            return Files.isRegularFile(real) && Files.isExecutable(real);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static List<Path> checkedDirectories(List<Path> directories) {
        if (directories == null || directories.isEmpty()) {
            throw new IllegalArgumentException("zootask.worker.executable-directories is empty: list the directories"
                    + " whose executables tasks may run, e.g. /usr/local/bin,/usr/bin,/bin");
        }
        Set<Path> checked = new LinkedHashSet<>();
        for (Path directory : directories) {
            if (!directory.isAbsolute()) {
                throw new IllegalArgumentException("zootask.worker.executable-directories: '" + directory
                        + "' is not an absolute path");
            }
            if (directory.toString().contains(":")) {
                throw new IllegalArgumentException("zootask.worker.executable-directories: '" + directory
                        + "' contains ':', which cannot be part of a PATH");
            }
            checked.add(directory.normalize());
        }
        return List.copyOf(new ArrayList<>(checked));
    }

    private static String printable(String s) {
        return s.codePoints().mapToObj(c -> Character.isISOControl(c) ? "?" : Character.toString(c))
                .collect(Collectors.joining());
    }
}
