package io.scanflow.audio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpectrogramImageTest {
    @TempDir
    Path dir;

    @Test
    void aToneIsDrawnAtItsFrequencyOnTheAxisAndTheColourBarRunsFromLoudToQuiet() throws IOException {
        int rate = 8000;
        float[] tone = new float[rate]; // 1 s of 1 kHz: a quarter of the way up to 4 kHz
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / rate));
        }
        Path png = dir.resolve("s.png");
        SpectrogramImage.write(png, List.of(new SpectrogramImage.Panel("tone", tone, rate)));
        BufferedImage img = ImageIO.read(png.toFile());
        int frames = (rate - 256) / 64 + 1;
        assertEquals(46 + frames + 16 + 70, img.getWidth());
        assertEquals(34 + 256 + 36, img.getHeight());
        int column = 46 + frames / 2;
        int brightest = 0;
        double best = -1;
        for (int y = 34; y < 34 + 256; y++) {
            int rgb = img.getRGB(column, y);
            double level = ((rgb >> 16) & 255) + ((rgb >> 8) & 255);
            if (level > best) {
                best = level;
                brightest = y;
            }
        }
        int expected = 34 + 256 - 256 / 4; // 1 kHz of 4 kHz, counted from the bottom
        assertTrue(Math.abs(brightest - expected) <= 3, "tone drawn at row " + brightest + ", expected about " + expected);
        int bar = 46 + frames + 16 + 8 + 7;
        assertTrue(brightness(img.getRGB(bar, 34)) > brightness(img.getRGB(bar, 34 + 255)), "0 dB is brighter than -80 dB");
    }

    @Test
    void ticksAreRoundSteps() {
        assertEquals(0.2, SpectrogramImage.niceStep(0.17), 1e-12);
        assertEquals(1.0, SpectrogramImage.niceStep(0.8), 1e-12);
        assertEquals(5.0, SpectrogramImage.niceStep(2.6), 1e-12);
    }

    private static int brightness(int rgb) {
        return ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
    }
}
