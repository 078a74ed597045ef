package io.scanflow.audio.io;

import be.tarsos.dsp.util.fft.FFT;
import be.tarsos.dsp.util.fft.HannWindow;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Log-magnitude spectrograms (TarsosDSP FFT, Hann window) of several clips side by side in one PNG, on
 * one shared dB scale (the loudest bin of all panels is 0 dB, 80 dB shown), each panel captioned and with
 * its own axes: time in seconds along the bottom, frequency in kHz from 0 to half the sample rate up the
 * left. A colour bar on the right gives the dB scale. Without font libraries (a bare server) the
 * pictures, ticks and colour bar are drawn without text.
 */
public final class SpectrogramImage {
    private static final int FRAME = 256;
    private static final int HOP = 64;
    private static final double RANGE_DB = 80;
    /** Pixels per frequency bin: 128 bins -> 256 pixels high. */
    private static final int BIN_PX = 2;
    private static final int LEFT = 46;
    private static final int TOP = 34;
    private static final int BOTTOM = 36;
    private static final int GAP = 16;
    private static final int BAR = 70;

    private SpectrogramImage() {}

    /** A clip to draw: mono samples at {@code sampleRate}, and its caption. */
    public record Panel(String caption, float[] samples, int sampleRate) {}

    public static void write(Path png, List<Panel> panels) {
        double[][][] specs = new double[panels.size()][][];
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < specs.length; i++) {
            specs[i] = spectrogram(panels.get(i).samples());
            for (double[] col : specs[i]) {
                for (double v : col) {
                    max = Math.max(max, v);
                }
            }
        }
        int height = FRAME / 2 * BIN_PX;
        int width = BAR;
        for (double[][] s : specs) {
            width += LEFT + Math.max(s.length, 1) + GAP;
        }
        BufferedImage img = new BufferedImage(width, TOP + height + BOTTOM, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        int x0 = 0;
        for (int i = 0; i < specs.length; i++) {
            double[][] s = specs[i];
            int left = x0 + LEFT;
            for (int x = 0; x < s.length; x++) {
                for (int y = 0; y < height; y++) {
                    double v = Math.max(0, Math.min(1, 1 + (s[x][y / BIN_PX] - max) / RANGE_DB));
                    img.setRGB(left + x, TOP + height - 1 - y, colour(v));
                }
            }
            Panel p = panels.get(i);
            drawAxes(g, p, left, Math.max(s.length, 1), height);
            x0 = left + Math.max(s.length, 1) + GAP;
        }
        drawColourBar(img, g, x0 + 8, height);
        g.dispose();
        try {
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(png + ": cannot be written: " + e.getMessage(), e);
        }
    }

    /** Caption, time ticks (s) below and frequency ticks (kHz) left of one panel. */
    private static void drawAxes(Graphics2D g, Panel p, int left, int width, int height) {
        int bottom = TOP + height;
        g.setColor(Color.BLACK);
        g.drawLine(left - 1, TOP, left - 1, bottom);
        g.drawLine(left - 1, bottom, left + width, bottom);
        double seconds = (double) width * HOP / p.sampleRate();
        double tStep = niceStep(seconds / 6);
        double nyquistKhz = p.sampleRate() / 2000.0;
        double fStep = niceStep(nyquistKhz / 5);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(p.caption(), left, 14);
            for (double t = 0; t <= seconds + 1e-9; t += tStep) {
                int x = left + (int) Math.round(t * p.sampleRate() / HOP);
                g.drawLine(x, bottom, x, bottom + 4);
                g.drawString(label(t), x - 8, bottom + 16);
            }
            g.drawString("time (s)", left + width / 2 - 20, bottom + 31);
            for (double f = 0; f <= nyquistKhz + 1e-9; f += fStep) {
                int y = bottom - (int) Math.round(f / nyquistKhz * height);
                g.drawLine(left - 5, y, left - 1, y);
                g.drawString(label(f), left - 30, y + 4);
            }
            g.drawString("kHz", left - 30, TOP - 5);
        } catch (RuntimeException | Error noFonts) {
            // A headless JVM without fonts still gets the pictures and axis lines.
        }
    }

    /** The dB scale: 0 dB (the loudest bin) at the top down to -RANGE_DB, labelled every 20 dB. */
    private static void drawColourBar(BufferedImage img, Graphics2D g, int x, int height) {
        for (int y = 0; y < height; y++) {
            int rgb = colour(1 - (double) y / (height - 1));
            for (int dx = 0; dx < 14; dx++) {
                img.setRGB(x + dx, TOP + y, rgb);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(x - 1, TOP - 1, 15, height + 1);
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int db = 0; db <= RANGE_DB; db += 20) {
                int y = TOP + (int) Math.round(db / RANGE_DB * (height - 1));
                g.drawLine(x + 14, y, x + 18, y);
                g.drawString(db == 0 ? "0 dB" : "-" + db, x + 20, y + 4);
            }
        } catch (RuntimeException | Error noFonts) {
            // Ticks without numbers.
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        double p = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= rough) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** [frames][FRAME / 2] magnitudes in dB. */
    static double[][] spectrogram(float[] samples) {
        int frames = samples.length < FRAME ? 0 : (samples.length - FRAME) / HOP + 1;
        double[][] out = new double[frames][FRAME / 2];
        FFT fft = new FFT(FRAME, new HannWindow());
        float[] buf = new float[FRAME];
        float[] amp = new float[FRAME / 2];
        for (int f = 0; f < frames; f++) {
            System.arraycopy(samples, f * HOP, buf, 0, FRAME);
            fft.forwardTransform(buf);
            fft.modulus(buf, amp);
            for (int k = 0; k < FRAME / 2; k++) {
                out[f][k] = 20 * Math.log10(amp[k] + 1e-9);
            }
        }
        return out;
    }

    /** Dark blue (quiet) through red to yellow-white (loud). */
    private static int colour(double v) {
        int r = (int) (255 * Math.min(1, Math.max(0, 1.8 * v - 0.3)));
        int g = (int) (255 * Math.min(1, Math.max(0, 2.0 * v - 1.0)));
        int b = (int) (255 * Math.min(1, Math.max(0, v < 0.5 ? 0.3 + v : 1.3 - 1.6 * (v - 0.5))));
        return (r << 16) | (g << 8) | b;
    }
}
