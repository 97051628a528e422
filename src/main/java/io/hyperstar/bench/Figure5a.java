package io.hyperstar.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's Figure 5a as a picture: for each method, the best true accuracy among the first k configurations
 * it ranks (as a share of the task's best), averaged over tasks, for k = 1..H. Reads the evaluation's fig5a.csv.
 * <pre>java io.hyperstar.bench.Figure5a [--in docs/benchmarks/fig5a.csv] [--out docs/benchmarks/fig5a.png] [--max-k 54]</pre>
 */
public final class Figure5a {

    private static final Color[] COLORS = {new Color(120, 120, 120), new Color(31, 119, 180), new Color(255, 127, 14),
            new Color(44, 160, 44), new Color(148, 103, 189), new Color(140, 86, 75), new Color(214, 39, 40),
            new Color(227, 119, 194), new Color(188, 189, 34), new Color(23, 190, 207), new Color(0, 0, 0),
            new Color(0, 0, 140), new Color(128, 128, 0), new Color(255, 0, 255), new Color(0, 150, 136)};

    private Figure5a() {
    }

    public static void main(String[] args) throws IOException {
        Path in = Path.of("docs/benchmarks/fig5a.csv");
        Path out = Path.of("docs/benchmarks/fig5a.png");
        int maxK = Integer.MAX_VALUE;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--in" -> in = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--max-k" -> maxK = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(in);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int k = Integer.parseInt(f[1]);
            if (k <= maxK) {
                series.computeIfAbsent(f[0], m -> new ArrayList<>()).add(new double[]{k, Double.parseDouble(f[2])});
            }
        }
        plot(series, "Best accuracy after k configurations, in ranked order (share of each task's best)", out);
        System.out.println("wrote " + out);
    }

    static void plot(Map<String, List<double[]>> series, String title, Path png) throws IOException {
        plot(series, title, "k (configurations evaluated)", png);
    }

    /** Lines of (x, y) points with y in [min, 1], x from 1; one colour per series, legend on the right. */
    static void plot(Map<String, List<double[]>> series, String title, String xLabel, Path png) throws IOException {
        // The legend column is as wide as its longest label, so no series name is cut off.
        Font legendFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Graphics2D measure = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int longest = series.keySet().stream().mapToInt(k -> measure.getFontMetrics(legendFont).stringWidth(k)).max().orElse(0);
        measure.dispose();
        int right = Math.max(200, longest + 45);
        int w = 700 + right;
        int h = 560;
        int left = 70;
        int top = 45;
        int bottom = 55;
        double maxX = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(1);
        double minY = Math.floor(10 * series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).min().orElse(0)) / 10;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 25);
        g.setFont(legendFont);
        int pw = w - left - right;
        int ph = h - top - bottom;
        for (int t = 0; t <= 5; t++) {
            double y = minY + (1 - minY) * t / 5;
            int py = top + ph - (int) (ph * (y - minY) / (1 - minY));
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.2f", y), left - 40, py + 4);
        }
        for (int k = 1; k <= maxX; k += Math.max(1, (int) maxX / 10)) {
            int px = left + (int) (pw * (k - 1) / Math.max(1, maxX - 1));
            g.drawString(String.valueOf(k), px - 4, top + ph + 18);
        }
        g.drawString(xLabel, left + pw / 2 - 70, h - 12);
        g.drawRect(left, top, pw, ph);
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
            Color c = COLORS[i % COLORS.length];
            g.setColor(c);
            // Hindsight references dashed: they are scale, not methods.
            g.setStroke(Evaluation.REFERENCES.contains(s.getKey()) ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(s.getKey().startsWith("BM") ? 2.5f : 1.5f));
            int[] xs = s.getValue().stream().mapToInt(p -> left + (int) (pw * (p[0] - 1) / Math.max(1, maxX - 1))).toArray();
            int[] ys = s.getValue().stream().mapToInt(p -> top + ph - (int) (ph * (p[1] - minY) / (1 - minY))).toArray();
            g.drawPolyline(xs, ys, xs.length);
            g.drawLine(left + pw + 12, top + 11 + 20 * i, left + pw + 30, top + 11 + 20 * i);
            g.setColor(Color.BLACK);
            g.drawString(s.getKey(), left + pw + 35, top + 15 + 20 * i);
            i++;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
