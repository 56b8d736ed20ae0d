package io.zootask.worker.completion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only record of executions, one JSON line when a task's process is about to start and one when it is
 * gone: {@code {"event":"start","task":"task-0000000001","attempt":1,"worker":"w-1","at":1732270000000}}. The chaos
 * suite reads the journals of all workers to prove that no task ever ran twice at the same time. Off unless
 * {@code zootask.worker.journal} names a file.
 */
public class ExecutionJournal {

    private static final Logger log = LoggerFactory.getLogger(ExecutionJournal.class);

    private final Path file;
    private final Clock clock;

    public ExecutionJournal(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    public static ExecutionJournal disabled(Clock clock) {
        return new ExecutionJournal(null, clock);
    }

    void started(String task, int attempt, String worker) {
        append("start", task, attempt, worker, null);
    }

    void ended(String task, int attempt, String worker, String outcome) {
        append("end", task, attempt, worker, outcome);
    }

    private synchronized void append(String event, String task, int attempt, String worker, String outcome) {
        if (file == null) {
            return;
        }
        String line = "{\"event\":\"" + event + "\",\"task\":\"" + task + "\",\"attempt\":" + attempt
                + ",\"worker\":\"" + worker + "\",\"at\":" + clock.millis()
                + (outcome == null ? "" : ",\"outcome\":\"" + outcome + "\"") + "}\n";
        try {
            // One write(2) per line: survives a kill -9 of this JVM (it is in the kernel once written).
            Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            log.warn("cannot append to the execution journal {}: {}", file, e.toString());
        }
    }
}
