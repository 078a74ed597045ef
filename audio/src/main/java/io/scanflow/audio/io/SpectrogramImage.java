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
 * one shared dB scale (top 80 dB), each panel captioned. Time runs left to right, frequency bottom to top
 * from 0 to half the sample rate.
 */
public final class SpectrogramImage {
    private static final int FRAME = 256;
    private static final int HOP = 64;
    private static final double RANGE_DB = 80;

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
        int height = FRAME / 2;
        int caption = 18;
        int gap = 8;
        int width = 0;
        for (double[][] s : specs) {
            width += Math.max(s.length, 1) + gap;
        }
        BufferedImage img = new BufferedImage(width, height + caption, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        int x0 = 0;
        for (int i = 0; i < specs.length; i++) {
            double[][] s = specs[i];
            for (int x = 0; x < s.length; x++) {
                for (int y = 0; y < height; y++) {
                    double v = Math.max(0, Math.min(1, 1 + (s[x][y] - max) / RANGE_DB));
                    img.setRGB(x0 + x, caption + height - 1 - y, colour(v));
                }
            }
            try {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(panels.get(i).caption(), x0 + 2, 13);
            } catch (RuntimeException | Error noFonts) {
                // A headless JVM without fonts still gets the pictures.
            }
            x0 += Math.max(s.length, 1) + gap;
        }
        g.dispose();
        try {
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(png + ": cannot be written: " + e.getMessage(), e);
        }
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
