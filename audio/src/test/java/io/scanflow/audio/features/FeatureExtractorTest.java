package io.scanflow.audio.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import be.tarsos.dsp.AudioEvent;
import be.tarsos.dsp.io.TarsosDSPAudioFormat;
import be.tarsos.dsp.mfcc.MFCC;
import io.scanflow.audio.io.WavFixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {
    static final FeatureConfig MFCC20 = new FeatureConfig(FeatureConfig.Kind.MFCC, 16000, 512, 256, 20, 40, 20f, 8000f);
    static final FeatureConfig LOGMEL = new FeatureConfig(FeatureConfig.Kind.LOG_MEL, 16000, 512, 256, 0, 40, 20f, 8000f);

    @Test
    void framesAreTakenEveryHopOverWholeWindows() {
        assertEquals(61, MFCC20.frames(16000));
        assertEquals(0, MFCC20.frames(511));
        assertEquals(1, MFCC20.frames(512));
        assertEquals(2, MFCC20.frames(768));
        float[] f = new FeatureExtractor(MFCC20).extract(new float[16000], 0, 16000);
        assertEquals(61 * 20, f.length);
        assertEquals(40, LOGMEL.width());
    }

    @Test
    void mfccFramesAreTarsosDspsOwnMfcc() {
        float[] s = WavFixtures.sine(700, 16000, 4096, 0.3);
        for (int i = 0; i < s.length; i++) {
            s[i] += (float) (0.05 * Math.sin(i * 1.3));
        }
        float[] ours = new FeatureExtractor(MFCC20).extract(s, 0, s.length);
        MFCC reference = new MFCC(512, 16000, 20, 40, 20f, 8000f);
        for (int f = 0; f < MFCC20.frames(s.length); f++) {
            AudioEvent event = new AudioEvent(new TarsosDSPAudioFormat(16000, 16, 1, true, false));
            event.setFloatBuffer(Arrays.copyOfRange(s, f * 256, f * 256 + 512));
            reference.process(event);
            assertArrayEquals(reference.getMFCC(), Arrays.copyOfRange(ours, f * 20, f * 20 + 20), 1e-4f, "frame " + f);
        }
    }

    @Test
    void logMelPeaksInTheFilterAroundTheTone() {
        FeatureExtractor fx = new FeatureExtractor(LOGMEL);
        float[] frame = fx.extract(WavFixtures.sine(1000, 16000, 512, 0.5), 0, 512);
        int best = 0;
        for (int i = 1; i < frame.length; i++) {
            if (frame[i] > frame[best]) {
                best = i;
            }
        }
        // Mel scale: 1 kHz sits at 1000 mel; 40 filters spread over 20 Hz .. 8 kHz (about 32 .. 2840 mel).
        double mel1k = 2595 * Math.log10(1 + 1000 / 700.0);
        double lo = 2595 * Math.log10(1 + 20 / 700.0);
        double hi = 2595 * Math.log10(1 + 8000 / 700.0);
        int expected = (int) Math.round((mel1k - lo) / (hi - lo) * 41) - 1;
        assertTrue(Math.abs(best - expected) <= 2, "peak filter " + best + ", expected about " + expected);
        assertTrue(frame[best] > frame[0] + 5, "the tone's filter stands far above the lowest one");
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new FeatureConfig(FeatureConfig.Kind.MFCC, 16000, 512, 256, 20, 40, 20f, 9000f));
        assertThrows(IllegalArgumentException.class,
                () -> new FeatureConfig(FeatureConfig.Kind.MFCC, 16000, 512, 0, 20, 40, 20f, 8000f));
    }
}
