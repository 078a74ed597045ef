package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowNormalizationTest {

    @Test
    void windowMeanSubtractsEachCoefficientsMeanOverTheFrames() {
        float[] frames = {1, 10, 3, 20, 5, 60}; // 3 frames of 2 coefficients: means 3 and 30
        assertArrayEquals(new float[] {-2, -20, 0, -10, 2, 30}, WindowNormalization.WINDOW_MEAN.apply(frames, 2));
    }

    @Test
    void windowMeanRemovesAConstantChannelOffset() {
        float[] frames = {0.5f, -1, 2, 4, -3, 0.25f};
        float[] shifted = frames.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += i % 2 == 0 ? 7 : -2; // the same offset on every frame, per coefficient
        }
        assertArrayEquals(WindowNormalization.WINDOW_MEAN.apply(frames, 2), WindowNormalization.WINDOW_MEAN.apply(shifted, 2), 1e-5f);
    }

    @Test
    void noneLeavesTheFramesAlone() {
        float[] frames = {1, 2, 3};
        assertSame(frames, WindowNormalization.NONE.apply(frames, 3));
        assertArrayEquals(new float[] {1, 2, 3}, frames);
    }

    @Test
    void namesAreParsedAndAnUnknownOneIsNamedInTheError() {
        assertEquals(WindowNormalization.WINDOW_MEAN, WindowNormalization.parse("window_mean"));
        assertEquals(WindowNormalization.WINDOW_MEAN, WindowNormalization.parse("window-mean"));
        assertEquals(WindowNormalization.NONE, WindowNormalization.parse("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowNormalization.parse("global"));
        assertTrue(e.getMessage().contains("\"global\""), e.getMessage());
    }
}
