package io.zootask.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The run's figures as a table on stdout and in {@code <name>.txt}, as {@code <name>.json}, and as the chart
 * {@code <name>.png}: {@code latest} for a run on one ZooKeeper server, {@code latest-ensemble3} on three.
 */
final class Report {

    private Report() {
    }

    static void write(Figures figures, Path results, String name) throws IOException {
        String table = table(figures);
        System.out.println();
        System.out.print(table);
        Files.writeString(results.resolve(name + ".json"), json(figures));
        Files.writeString(results.resolve(name + ".txt"), table);
        Chart.write(figures.asMap(), results.resolve(name + ".png"));
        Log.line("wrote " + results.resolve(name + ".json") + ", " + name + ".txt and " + name + ".png");
    }

    private static String table(Figures figures) {
        double multiCeiling = figures.getOrDefault("ceiling_multi_per_s", Double.NaN);
        StringBuilder table = new StringBuilder();
        table.append(String.format("%-36s %14s  %s%n", "figure", "value", "ratio to ceiling"));
        for (Map.Entry<String, Double> figure : figures.asMap().entrySet()) {
            String ratio = "";
            if (figure.getKey().endsWith("tasks_per_s") && !figure.getKey().startsWith("peer_")) {
                ratio = String.format("%.0f%% of multi ceiling / 3 (%.0f)", 100 * figure.getValue()
                        / (multiCeiling / 3), multiCeiling / 3);
            }
            if (figure.getKey().equals("process_tasks_per_s") && figures.contains("process_spawn_ceiling_per_s")) {
                ratio = String.format("%.0f%% of process spawn ceiling (%.0f)", 100 * figure.getValue()
                        / figures.get("process_spawn_ceiling_per_s"), figures.get("process_spawn_ceiling_per_s"));
            }
            if (figure.getKey().endsWith("_cpu_ms_per_task_total")) {
                int cores = Runtime.getRuntime().availableProcessors();
                ratio = String.format("%d cores allow at most %.0f tasks/s at this cost", cores,
                        cores * 1000 / figure.getValue());
            }
            if (figure.getKey().equals("e2e_tasks_per_s") && figures.contains("http_ceiling_requests_per_s")) {
                double httpCeiling = figures.get("http_ceiling_requests_per_s") / 2;
                ratio += String.format("; %.0f%% of HTTP ceiling / 2 (%.0f)", 100 * figure.getValue() / httpCeiling,
                        httpCeiling);
            }
            if (figure.getKey().equals("e2e_one_request_tasks_per_s") && figures.contains("http_ceiling_requests_per_s")) {
                double httpCeiling = figures.get("http_ceiling_requests_per_s");
                ratio += String.format("; %.0f%% of HTTP ceiling (%.0f)", 100 * figure.getValue() / httpCeiling,
                        httpCeiling);
            }
            table.append(String.format("%-36s %14.2f  %s%n", figure.getKey(), figure.getValue(), ratio));
        }
        figures.texts().forEach((name, text) -> table.append(String.format("%-36s %14s%n", name, text)));
        return table.toString();
    }

    /** One number per line with three decimals, in the order measured: stable diffs between committed runs. */
    private static String json(Figures figures) {
        StringBuilder json = new StringBuilder("{\n");
        List<String> lines = new ArrayList<>();
        figures.asMap().forEach((name, value) -> lines.add(String.format("  \"%s\": %.3f", name, value)));
        // a text figure is a version or a name: no quote or backslash in it to escape
        figures.texts().forEach((name, text) -> lines.add(String.format("  \"%s\": \"%s\"", name, text)));
        json.append(String.join(",\n", lines)).append("\n}\n");
        return json.toString();
    }
}
