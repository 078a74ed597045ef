package io.scanflow.audio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import be.tarsos.dsp.util.fft.FFT;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sine resampled to another rate keeps its frequency (measured by FFT) and its amplitude. */
class ResamplingTest {
    @TempDir
    Path dir;

    /** Peak frequency of {@code s} by a Hann-windowed FFT with parabolic interpolation of the log magnitude. */
    static double peakHz(float[] s, int offset, int n, int rate) {
        float[] buf = new float[2 * n];
        for (int i = 0; i < n; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
            buf[i] = (float) (s[offset + i] * hann);
        }
        FFT fft = new FFT(n);
        fft.forwardTransform(buf);
        double[] mag = new double[n / 2];
        int best = 1;
        for (int k = 1; k < n / 2; k++) {
            double re = buf[2 * k];
            double im = buf[2 * k + 1];
            mag[k] = Math.log(Math.hypot(re, im) + 1e-30);
            if (mag[k] > mag[best]) {
                best = k;
            }
        }
        double a = mag[best - 1], b = mag[best], c = mag[best + 1];
        double delta = 0.5 * (a - c) / (a - 2 * b + c);
        return (best + delta) * rate / n;
    }

    private void check(int from, int to, double hz) {
        Path file = WavFixtures.pcm16(dir.resolve(from + "-" + to + ".wav"), from, WavFixtures.sine(hz, from, from * 2, 0.5));
        float[] out = AudioFiles.readAll(file, to);
        assertEquals(2.0 * to, out.length, to * 0.01, "length scales with the rate");
        int n = Integer.highestOneBit(out.length * 9 / 10);
        double measured = peakHz(out, (out.length - n) / 2, n, to);
        assertEquals(hz, measured, 0.5, from + " -> " + to + " Hz");
        double peak = 0;
        for (int i = out.length / 4; i < 3 * out.length / 4; i++) {
            peak = Math.max(peak, Math.abs(out[i]));
        }
        assertEquals(0.5, peak, 0.01, "amplitude");
    }

    @Test
    void downsampling44100To16000KeepsTheFrequency() {
        check(44100, 16000, 1000.0);
    }

    @Test
    void downsampling22050To8000KeepsTheFrequency() {
        check(22050, 8000, 440.0);
    }

    @Test
    void upsampling8000To16000KeepsTheFrequency() {
        check(8000, 16000, 1234.5);
    }

    @Test
    void theFftMeasureItselfIsExactOnAnUnresampledSine() {
        float[] s = WavFixtures.sine(1000.0, 16000, 32000, 0.5);
        assertEquals(1000.0, peakHz(s, 0, 16384, 16000), 0.05);
    }
}
