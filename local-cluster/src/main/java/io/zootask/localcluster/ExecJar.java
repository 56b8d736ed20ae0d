package io.zootask.localcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A module's executable jar, as {@code ./mvnw package} builds it ({@code <module>/target/<module>-*-exec.jar}), and
 * the command line that runs it. Part of this module's public API (see {@link ServiceProcess}).
 */
public final class ExecJar {

    private ExecJar() {
    }

    /** The executable jar of {@code module} in the source tree at {@code root}. */
    public static Path of(Path root, String module) {
        Path target = root.resolve(module).resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                return files.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                        .orElseThrow(() -> notBuilt(target));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw notBuilt(target);
    }

    /** {@code java <jvmOptions> -jar <jar> <args>}, with the java that runs this JVM. */
    public static List<String> command(Path jar, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        return List.copyOf(command);
    }

    private static IllegalStateException notBuilt(Path target) {
        return new IllegalStateException("no executable jar in " + target + "; build with ./mvnw -DskipTests package");
    }
}
