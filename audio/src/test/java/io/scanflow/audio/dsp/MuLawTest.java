package io.scanflow.audio.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MuLawTest {

    @Test
    void everyTokenSurvivesDecodeThenEncode() {
        for (int t = 0; t < MuLaw.LEVELS; t++) {
            assertEquals(t, MuLaw.encode(MuLaw.decode(t)), "token " + t);
        }
    }

    @Test
    void samplesRoundTripWithinHalfAQuantisationStepOfTheCompandedValue() {
        double mu = 255.0;
        for (int i = -10000; i <= 10000; i++) {
            float x = i / 10000f;
            float back = MuLaw.decode(MuLaw.encode(x));
            // The error bound comes from the companded domain: half a level there, expanded by the slope at x.
            double slope = (1 + mu * Math.abs(x)) * Math.log1p(mu) / mu; // d x / d f
            double bound = 0.5 * (2.0 / 255) * slope * 1.05 + 1e-6;
            assertTrue(Math.abs(back - x) <= bound, "x=" + x + " back=" + back + " bound=" + bound);
        }
    }

    @Test
    void silenceAndFullScaleMapToTheExpectedLevels() {
        assertEquals(128, MuLaw.encode(0f)); // round(127.5) -> 128, the level just above zero
        assertEquals(0, MuLaw.encode(-1f));
        assertEquals(255, MuLaw.encode(1f));
        assertEquals(255, MuLaw.encode(3f), "clipped");
        assertEquals(-1f, MuLaw.decode(0), 1e-6);
        assertEquals(1f, MuLaw.decode(255), 1e-6);
        assertTrue(Math.abs(MuLaw.decode(128)) < 1e-4);
    }

    @Test
    void encodingIsMonotonic() {
        int prev = 0;
        for (int i = -1000; i <= 1000; i++) {
            int t = MuLaw.encode(i / 1000f);
            assertTrue(t >= prev);
            prev = t;
        }
    }

    @Test
    void tokensOutsideTheAlphabetAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MuLaw.decode(256));
        assertThrows(IllegalArgumentException.class, () -> MuLaw.decode(-1));
    }
}
