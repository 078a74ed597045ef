package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How prefill requests are packed into passes (host work; no GPU needed). */
class PrefillPackerTest {

    private static int[] tokens(int from, int length) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = from + i;
        }
        return t;
    }

    @Test
    void eachRequestTakesAtMostAChunkAndPassesResumeAfterTheLastRequestPacked() {
        // 6 rows per pass, chunks of 4: requests of 9, 3 and 5 tokens.
        int[][] requests = {tokens(100, 9), tokens(200, 3), tokens(300, 5)};
        int[] slots = {7, 3, 5};
        PrefillPacker p = new PrefillPacker(6, 8);
        p.start(slots, requests, 4);

        assertTrue(p.nextPass());
        assertEquals(2, p.count());
        assertEquals(6, p.rows());
        assertEquals(4, p.maxLength());
        // request 1 gets the 2 rows left; request 2 waits
        assertArrayEquals(new int[] {100, 101, 102, 103, 200, 201}, Arrays.copyOf(p.tokens(), 6));
        // columns: first row, length, slot, request index
        assertArrayEquals(new int[] {0, 4, 4, 2, 7, 3, 0, 1}, Arrays.copyOf(p.descriptors(), 8));
        assertFalse(p.finishes(0));
        assertFalse(p.finishes(1));
        p.finishPass();

        // The next pass starts after request 1 (the last packed) and wraps round to request 0.
        assertTrue(p.nextPass());
        assertEquals(2, p.count());
        assertEquals(2, p.request(0));
        assertEquals(0, p.request(1));
        assertEquals(4, p.start(1));
        assertEquals(4, p.done(0));
        assertArrayEquals(new int[] {300, 301, 302, 303, 104, 105}, Arrays.copyOf(p.tokens(), 6));
        assertArrayEquals(new int[] {0, 4, 4, 2, 5, 7, 2, 0}, Arrays.copyOf(p.descriptors(), 8));
        p.finishPass();

        assertTrue(p.nextPass());
        assertEquals(3, p.count());
        assertEquals(5, p.rows());
        assertArrayEquals(new int[] {202, 304, 106, 107, 108}, Arrays.copyOf(p.tokens(), 5));
        for (int q = 0; q < 3; q++) {
            assertTrue(p.finishes(q), "request " + p.request(q) + " ends in the last pass");
        }
        p.finishPass();
        assertFalse(p.nextPass());
    }

    @Test
    void aCallWithoutTokensHasNoPass() {
        PrefillPacker p = new PrefillPacker(16, 4);
        p.start(new int[] {0, 1}, new int[][] {{}, {}}, 8);
        assertFalse(p.nextPass());
        p.start(new int[0], new int[0][], 8);
        assertFalse(p.nextPass());
    }
}
