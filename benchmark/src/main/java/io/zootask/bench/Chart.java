package io.zootask.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The benchmark's chart: throughput beside ZooKeeper's ceiling, end-to-end latency, and where the CPU goes per task
 * (by process, from the kernel's accounting). Plain Java2D.
 */
final class Chart {

    private Chart() {
    }

    static void write(Map<String, Double> figures, Path png) throws IOException {
        Map<String, Double> throughput = new LinkedHashMap<>();
        figures = new java.util.HashMap<>(figures);
        for (String k : new String[] {"ceiling_creates_per_s", "ceiling_creates_per_s_8_sessions", "ceiling_multi_per_s", "coordination_tasks_per_s", "e2e_tasks_per_s", "e2e_p50_ms_half_load", "e2e_p99_ms_half_load", "e2e_p50_ms_full_load", "e2e_p99_ms_full_load"}) {
            figures.putIfAbsent(k, 0.0);
        }
        throughput.put("ZK creates/s (1 session)", figures.get("ceiling_creates_per_s"));
        throughput.put("ZK creates/s (8 sessions)", figures.get("ceiling_creates_per_s_8_sessions"));
        throughput.put("ZK multi/s", figures.get("ceiling_multi_per_s"));
        throughput.put("multi/s ÷ 3 (task bound)", figures.get("ceiling_multi_per_s") / 3);
        throughput.put("zootask coordination tasks/s", figures.get("coordination_tasks_per_s"));
        throughput.put("zootask HTTP tasks/s", figures.get("e2e_tasks_per_s"));
        Map<String, Double> latency = new LinkedHashMap<>();
        latency.put("p50 half load", figures.get("e2e_p50_ms_half_load"));
        latency.put("p99 half load", figures.get("e2e_p99_ms_half_load"));
        latency.put("p50 full load", figures.get("e2e_p50_ms_full_load"));
        latency.put("p99 full load", figures.get("e2e_p99_ms_full_load"));

        Map<String, Double> httpCpu = new LinkedHashMap<>();
        Map<String, Double> processCpu = new LinkedHashMap<>();
        for (String role : new String[] {"gateway", "zookeeper", "workers", "masters", "load_generator"}) {
            httpCpu.put(role.replace('_', ' '), figures.get("e2e_cpu_ms_per_task_" + role));
        }
        for (String role : new String[] {"task_processes", "workers", "zookeeper", "masters"}) {
            processCpu.put(role.replace('_', ' '), figures.get("process_cpu_ms_per_task_" + role));
        }

        BufferedImage image = new BufferedImage(1000, 900, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1000, 900);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("zootask beside ZooKeeper's ceiling (one machine, " + Runtime.getRuntime().availableProcessors()
                + " cores)", 20, 28);
        bars(g, "throughput (per second)", throughput, 20, 50, 600, 480, new Color(0x3b6ea5));
        bars(g, "HTTP submit-to-done latency (ms)", latency, 640, 50, 340, 480, new Color(0xc0504d));
        bars(g, "CPU ms per HTTP task, by process", httpCpu, 20, 560, 460, 320, new Color(0x5b8c5a));
        bars(g, "CPU ms per `true` task, by process", processCpu, 520, 560, 460, 320, new Color(0x8064a2));
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void bars(Graphics2D g, String title, Map<String, Double> values, int x, int y, int w, int h,
                             Color color) {
        double max = values.values().stream().mapToDouble(v -> v == null ? 0 : v).max().orElse(1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, x, y + 14);
        int rowHeight = (h - 30) / values.size();
        int labelWidth = w / 2;
        int i = 0;
        for (Map.Entry<String, Double> entry : values.entrySet()) {
            double value = entry.getValue() == null ? 0 : entry.getValue();
            int top = y + 30 + i * rowHeight;
            g.setColor(Color.BLACK);
            g.drawString(entry.getKey(), x, top + rowHeight / 2);
            int length = (int) ((w - labelWidth - 60) * (value / max));
            g.setColor(color);
            g.fillRect(x + labelWidth, top + rowHeight / 4, Math.max(1, length), rowHeight / 2);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1));
            g.drawString(String.format(value >= 100 ? "%.0f" : "%.1f", value), x + labelWidth + length + 5,
                    top + rowHeight / 2);
            i++;
        }
    }
}
