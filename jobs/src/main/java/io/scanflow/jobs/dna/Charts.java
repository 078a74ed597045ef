package io.scanflow.jobs.dna;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * The report's pictures: the confusion matrix where the truth is known, else each sample's composition
 * as a stacked bar.
 */
final class Charts {
    private static final Color UNCLASSIFIED = new Color(190, 190, 190);
    /** One colour per label, by label order (Tableau 10). */
    private static final Color[] PALETTE = {new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2),
        new Color(0x59a14f), new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7), new Color(0x9c755f), new Color(0x2f4b7c)};

    private Charts() {
    }

    /** A heat map of the confusion matrix (rows: true label; columns: predicted, then unclassified), each row normalised. */
    static BufferedImage confusion(List<String> rows, List<String> columns, long[][] confusion) {
        int cell = 56;
        int left = 150;
        int top = 150;
        BufferedImage img = Png.canvas(left + columns.size() * cell + 20, top + rows.size() * cell + 40);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.drawString("true label (rows) vs predicted (columns)", left, 20);
        for (int i = 0; i < rows.size(); i++) {
            long row = 0;
            for (long x : confusion[i]) {
                row += x;
            }
            g.setColor(Color.BLACK);
            g.drawString(rows.get(i), 8, top + i * cell + cell / 2 + 4);
            for (int j = 0; j < columns.size(); j++) {
                double f = row == 0 ? 0 : (double) confusion[i][j] / row;
                int shade = (int) Math.round(255 * (1 - f));
                g.setColor(rows.get(i).equals(columns.get(j)) ? new Color(shade, shade, 255) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
                g.setColor(f > 0.6 ? Color.WHITE : Color.BLACK);
                String s = String.valueOf(confusion[i][j]);
                g.drawString(s, left + j * cell + cell / 2 - g.getFontMetrics().stringWidth(s) / 2, top + i * cell + cell / 2 + 4);
            }
        }
        g.setColor(Color.BLACK);
        for (int j = 0; j < columns.size(); j++) {
            Graphics2D r = (Graphics2D) g.create();
            r.translate(left + j * cell + cell / 2 + 4, top - 8);
            r.rotate(-Math.PI / 2);
            r.drawString(columns.get(j), 0, 0);
            r.dispose();
        }
        g.dispose();
        return img;
    }

    /** One bar per sample, split by the fraction of its fragments per call, with a legend. */
    static BufferedImage composition(List<String> labels, List<SampleComposition> samples) {
        int bar = 22;
        int left = 170;
        int width = 600;
        int top = 40;
        int legend = 20 * (labels.size() + 1);
        BufferedImage img = Png.canvas(left + width + 200, top + Math.max(samples.size() * (bar + 6), legend) + 30);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.drawString("composition of each sample (fraction of fragments per call)", left, 20);
        for (int i = 0; i < samples.size(); i++) {
            SampleComposition s = samples.get(i);
            int y = top + i * (bar + 6);
            g.setColor(Color.BLACK);
            String name = s.sample().length() > 24 ? s.sample().substring(0, 23) + "…" : s.sample();
            g.drawString(name, 8, y + bar / 2 + 4);
            double x = left;
            for (Map.Entry<String, Long> e : s.counts()) {
                double w = width * (double) e.getValue() / s.fragments();
                g.setColor(colour(labels, e.getKey()));
                g.fillRect((int) Math.round(x), y, (int) Math.max(1, Math.round(x + w) - Math.round(x)), bar);
                x += w;
            }
        }
        int lx = left + width + 20;
        for (int i = 0; i <= labels.size(); i++) {
            String label = i < labels.size() ? labels.get(i) : Calls.UNCLASSIFIED;
            g.setColor(colour(labels, label));
            g.fillRect(lx, top + i * 20, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(label, lx + 20, top + i * 20 + 12);
        }
        g.dispose();
        return img;
    }

    private static Color colour(List<String> labels, String call) {
        int i = labels.indexOf(call);
        return i < 0 ? UNCLASSIFIED : PALETTE[i % PALETTE.length];
    }
}
