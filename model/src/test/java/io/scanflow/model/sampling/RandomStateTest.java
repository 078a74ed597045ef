package io.scanflow.model.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Known answers: the generator's outputs are part of every checkpoint's meaning (a restored stream must
 * draw what it would have drawn), so they are pinned to SplitMix64's published sequence, not to
 * whatever the code gives today.
 */
class RandomStateTest {

    /** SplitMix64 from seed 1234567: the reference implementation's first five outputs (unsigned). */
    @Test
    void nextLongIsSplitMix64() {
        RandomState r = new RandomState(1234567L);
        assertEquals("6457827717110365317", Long.toUnsignedString(r.nextLong()));
        assertEquals("3203168211198807973", Long.toUnsignedString(r.nextLong()));
        assertEquals("9817491932198370423", Long.toUnsignedString(r.nextLong()));
        assertEquals("4593380528125082431", Long.toUnsignedString(r.nextLong()));
        assertEquals("16408922859458223821", Long.toUnsignedString(r.nextLong()));
    }

    /** The top 53 bits over 2^53, from seed 42 (values from an independent re-implementation in Python). */
    @Test
    void nextDoubleTakesTheTop53Bits() {
        RandomState r = new RandomState(42L);
        assertEquals(0.7415648787718233, r.nextDouble());
        assertEquals(0.1599103928769201, r.nextDouble());
        assertEquals(0.27860113025513866, r.nextDouble());
    }

    @Test
    void theStateContinuesTheSequence() {
        RandomState a = new RandomState(9L);
        a.nextLong();
        RandomState b = new RandomState(a.state());
        assertEquals(a.nextLong(), b.nextLong());
    }
}
