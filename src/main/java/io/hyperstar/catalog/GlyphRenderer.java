package io.hyperstar.catalog;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Renders characters as 28x28 white-on-black images (MNIST-like) with Java2D, headless, from the fonts installed on
 * this machine; the glyph tasks and the backbone's source task are made from it.
 */
public final class GlyphRenderer {

    public static final int SIZE = 28;
    private static final Set<String> LOGICAL = Set.of("Dialog", "DialogInput", "Serif", "SansSerif", "Monospaced");
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private GlyphRenderer() {
    }

    /** Every physical font face installed, one per font name, sorted by name so the order is reproducible. */
    public static List<Font> installedFonts() {
        Map<String, Font> byName = new java.util.TreeMap<>();
        for (Font f : GraphicsEnvironment.getLocalGraphicsEnvironment().getAllFonts()) {
            if (!LOGICAL.contains(f.getFamily()) && !f.getFontName().startsWith("Dialog")) {
                byName.putIfAbsent(f.getFontName(), f);
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** The fonts that have a non-empty glyph for every one of the characters. */
    public static List<Font> fontsCovering(List<Font> fonts, List<String> chars) {
        List<Font> out = new ArrayList<>();
        for (Font f : fonts) {
            boolean ok = true;
            for (String c : chars) {
                if (f.canDisplayUpTo(c) != -1 || outline(f, c).getBounds2D().isEmpty()) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                out.add(f);
            }
        }
        return out;
    }

    /** Renders one character with a small random jitter of scale, rotation and position. */
    public static float[] render(Font font, String ch, Random rnd) {
        Shape s = outline(font, ch);
        Rectangle2D b = s.getBounds2D();
        // Glyphs keep their relative size (a dash stays a dash) unless they would not fit in the frame.
        double scale = Math.min(1.0, 22.0 / Math.max(b.getWidth(), b.getHeight()));
        scale *= 0.85 + 0.15 * rnd.nextDouble();
        double angle = Math.toRadians((rnd.nextDouble() * 2 - 1) * 6);
        double dx = (rnd.nextDouble() * 2 - 1) * 1.5;
        double dy = (rnd.nextDouble() * 2 - 1) * 1.5;
        AffineTransform t = new AffineTransform();
        t.translate(SIZE / 2.0 + dx, SIZE / 2.0 + dy);
        t.rotate(angle);
        t.scale(scale, scale);
        t.translate(-b.getCenterX(), -b.getCenterY());
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(java.awt.Color.WHITE);
            g.fill(t.createTransformedShape(s));
        } finally {
            g.dispose();
        }
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        float[] px = new float[SIZE * SIZE];
        for (int i = 0; i < px.length; i++) {
            px[i] = (raster[i] & 0xff) / 255f;
        }
        return px;
    }

    /** A file-system-safe class name for a character, e.g. {@code u03a9}. */
    public static String className(String ch) {
        StringBuilder sb = new StringBuilder();
        ch.codePoints().forEach(cp -> sb.append(String.format("u%04x", cp)));
        return sb.toString();
    }

    private static final Map<String, Shape> OUTLINES = new LinkedHashMap<>();

    private static synchronized Shape outline(Font font, String ch) {
        return OUTLINES.computeIfAbsent(font.getFontName() + "\u0000" + ch,
                k -> font.deriveFont(24f).createGlyphVector(FRC, ch).getOutline());
    }
}
