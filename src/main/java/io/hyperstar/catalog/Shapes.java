package io.hyperstar.catalog;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Random;

/** Procedural geometric shapes drawn with Java2D: a source that needs no installed package (used by tests too). */
public final class Shapes {

    public static final List<String> NAMES = List.of("circle", "square", "triangle", "cross", "star", "ring",
            "diamond", "hexagon");

    private Shapes() {
    }

    /** Draws one shape, filled or outlined, at a random size, place and angle. */
    public static float[] render(String name, Random rnd) {
        int size = GlyphRenderer.SIZE;
        double r = 7 + 4 * rnd.nextDouble();
        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0 + (rnd.nextDouble() * 2 - 1) * 3, size / 2.0 + (rnd.nextDouble() * 2 - 1) * 3);
        t.rotate(rnd.nextDouble() * 2 * Math.PI);
        Shape s = t.createTransformedShape(unit(name, r));
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            if (rnd.nextBoolean() && !name.equals("ring")) {
                g.fill(s);
            } else {
                g.setStroke(new BasicStroke(1.5f + 1.5f * rnd.nextFloat()));
                g.draw(s);
            }
        } finally {
            g.dispose();
        }
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        float[] px = new float[size * size];
        for (int i = 0; i < px.length; i++) {
            px[i] = (raster[i] & 0xff) / 255f;
        }
        return px;
    }

    private static Shape unit(String name, double r) {
        return switch (name) {
            case "circle" -> new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
            case "ring" -> {
                Path2D p = new Path2D.Double(Path2D.WIND_EVEN_ODD);
                p.append(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r), false);
                p.append(new Ellipse2D.Double(-r / 2, -r / 2, r, r), false);
                yield p;
            }
            case "square" -> new Rectangle2D.Double(-r * 0.8, -r * 0.8, 1.6 * r, 1.6 * r);
            case "triangle" -> polygon(3, r, 0);
            case "diamond" -> {
                Path2D p = new Path2D.Double();
                p.moveTo(0, -r);
                p.lineTo(r * 0.6, 0);
                p.lineTo(0, r);
                p.lineTo(-r * 0.6, 0);
                p.closePath();
                yield p;
            }
            case "hexagon" -> polygon(6, r, 0);
            case "star" -> polygon(5, r, r * 0.4);
            case "cross" -> {
                Path2D p = new Path2D.Double();
                p.append(new Rectangle2D.Double(-r, -r * 0.25, 2 * r, r * 0.5), false);
                p.append(new Rectangle2D.Double(-r * 0.25, -r, r * 0.5, 2 * r), false);
                yield p;
            }
            default -> throw new IllegalArgumentException("unknown shape " + name);
        };
    }

    /** A regular polygon, or a star when inner > 0. */
    private static Shape polygon(int n, double r, double inner) {
        Path2D p = new Path2D.Double();
        int points = inner > 0 ? 2 * n : n;
        for (int i = 0; i < points; i++) {
            double rr = inner > 0 && i % 2 == 1 ? inner : r;
            double a = -Math.PI / 2 + 2 * Math.PI * i / points;
            if (i == 0) {
                p.moveTo(rr * Math.cos(a), rr * Math.sin(a));
            } else {
                p.lineTo(rr * Math.cos(a), rr * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }
}
