package io.scanflow.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f, 0.5f};

    @Test
    void greedyTakesTheFirstLargest() {
        Sampler s = new Sampler(SamplingConfig.greedyDecoding(), LOGITS.length);
        assertEquals(1, s.sample(LOGITS, 0, LOGITS.length, new RandomState(1)));
    }

    @Test
    void topKOneIsGreedyAndTinyTopPKeepsOnlyTheBest() {
        Sampler k1 = new Sampler(SamplingConfig.of(1.5f, 1, 1f), LOGITS.length);
        Sampler p = new Sampler(SamplingConfig.of(1f, 0, 0.01f), LOGITS.length);
        RandomState rng = new RandomState(3);
        for (int i = 0; i < 100; i++) {
            assertEquals(1, k1.sample(LOGITS, 0, LOGITS.length, rng));
            assertEquals(1, p.sample(LOGITS, 0, LOGITS.length, rng));
        }
    }

    @Test
    void topKTwoDrawsOnlyTheTwoTiedBest() {
        Sampler s = new Sampler(SamplingConfig.of(1f, 2, 1f), LOGITS.length);
        RandomState rng = new RandomState(5);
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < 4000; i++) {
            counts[s.sample(LOGITS, 0, LOGITS.length, rng)]++;
        }
        assertEquals(4000, counts[1] + counts[3]);
        assertTrue(Math.abs(counts[1] - 2000) < 200, "tied logits are drawn equally often: " + counts[1]);
    }

    /** Temperature sampling follows softmax(logits / T): frequencies within 5 standard errors. */
    @Test
    void frequenciesFollowTheTemperedSoftmax() {
        float t = 0.7f;
        Sampler s = new Sampler(SamplingConfig.of(t, 0, 1f), LOGITS.length);
        RandomState rng = new RandomState(11);
        int n = 200_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < n; i++) {
            counts[s.sample(LOGITS, 0, LOGITS.length, rng)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l / t);
        }
        for (int i = 0; i < LOGITS.length; i++) {
            double p = Math.exp(LOGITS[i] / t) / z;
            double se = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(counts[i] - n * p) < 5 * se + 1, "token " + i + ": " + counts[i] + " vs " + n * p);
        }
    }

    @Test
    void topPRenormalisesOverTheNucleus() {
        // softmax of {ln 0.5, ln 0.3, ln 0.2}; top-p 0.7 keeps {0, 1} with mass 0.8.
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Sampler s = new Sampler(SamplingConfig.of(1f, 0, 0.7f), 3);
        RandomState rng = new RandomState(2);
        int n = 100_000;
        int[] counts = new int[3];
        for (int i = 0; i < n; i++) {
            counts[s.sample(logits, 0, 3, rng)]++;
        }
        assertEquals(0, counts[2]);
        assertEquals(0.625, counts[0] / (double) n, 0.01);
    }

    @Test
    void aRestoredGeneratorContinuesTheSameSamples() {
        Sampler s = new Sampler(SamplingConfig.of(1.3f, 4, 0.95f), LOGITS.length);
        RandomState a = new RandomState(99);
        for (int i = 0; i < 17; i++) {
            s.sample(LOGITS, 0, LOGITS.length, a);
        }
        RandomState b = new RandomState(a.state());
        int[] fromA = new int[50];
        int[] fromB = new int[50];
        for (int i = 0; i < 50; i++) {
            fromA[i] = s.sample(LOGITS, 0, LOGITS.length, a);
            fromB[i] = s.sample(LOGITS, 0, LOGITS.length, b);
        }
        assertArrayEquals(fromA, fromB);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingConfig.of(0f, 0, 1f));
        assertThrows(IllegalArgumentException.class, () -> SamplingConfig.of(1f, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> SamplingConfig.of(1f, 0, 1.5f));
    }
}
