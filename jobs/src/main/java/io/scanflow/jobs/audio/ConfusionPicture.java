package io.scanflow.jobs.audio;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * confusion.png for {@code audio-classify --truth}: one square per (true, predicted) pair, shaded by the
 * share of the true label's streams (white 0 to dark green 1 on the diagonal, dark red off it), the count
 * written in, axis titles on both sides. Without font libraries (a bare server) the squares are drawn
 * without text; report.md has the numbers.
 */
final class ConfusionPicture {
    private static final int CELL = 44;
    private static final int MARGIN = 110;

    private ConfusionPicture() {}

    static void write(Path png, List<String> labels, long[][] counts) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int n = labels.size();
        BufferedImage img = new BufferedImage(MARGIN + n * CELL + 20, MARGIN + n * CELL + 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int t = 0; t < n; t++) {
            long total = 0;
            for (long c : counts[t]) {
                total += c;
            }
            for (int p = 0; p < n; p++) {
                float share = total == 0 ? 0f : (float) counts[t][p] / total;
                g.setColor(shade(share, t == p));
                g.fillRect(MARGIN + p * CELL, MARGIN + t * CELL, CELL - 1, CELL - 1);
            }
        }
        try {
            drawText(g, labels, counts);
        } catch (LinkageError | InternalError noFonts) {
            System.err.println("audio-classify: confusion.png drawn without text (" + noFonts.getMessage() + ")");
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static Color shade(float share, boolean diagonal) {
        float light = 1f - 0.75f * share;
        return diagonal ? new Color(light, 1f - 0.45f * share, light) : new Color(1f - 0.35f * share, light, light);
    }

    private static void drawText(Graphics2D g, List<String> labels, long[][] counts) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int n = labels.size();
        g.setColor(Color.BLACK);
        g.drawString("predicted", MARGIN + n * CELL / 2 - fm.stringWidth("predicted") / 2, 16);
        AffineTransform plain = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString("true label", -(MARGIN + n * CELL / 2 + fm.stringWidth("true label") / 2), 16);
        for (int p = 0; p < n; p++) {
            g.drawString(labels.get(p), -(MARGIN - 6), MARGIN + p * CELL + CELL / 2 + 4);
        }
        g.setTransform(plain);
        for (int t = 0; t < n; t++) {
            g.drawString(labels.get(t), MARGIN - 8 - fm.stringWidth(labels.get(t)), MARGIN + t * CELL + CELL / 2 + 4);
            for (int p = 0; p < n; p++) {
                if (counts[t][p] > 0) {
                    String s = Long.toString(counts[t][p]);
                    g.drawString(s, MARGIN + p * CELL + (CELL - fm.stringWidth(s)) / 2, MARGIN + t * CELL + CELL / 2 + 4);
                }
            }
        }
    }
}
