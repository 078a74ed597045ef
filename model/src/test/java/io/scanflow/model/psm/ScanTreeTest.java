package io.scanflow.model.psm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Tree shape, cost formulas, and the cost table in the docs. */
class ScanTreeTest {

    @Test
    void testShapeIsTheBinaryDecomposition() {
        assertArrayEquals(new int[] {}, ScanTree.rootLevels(0));
        assertArrayEquals(new int[] {0}, ScanTree.rootLevels(1));
        assertArrayEquals(new int[] {1, 0}, ScanTree.rootLevels(3));
        assertArrayEquals(new int[] {6, 5, 2}, ScanTree.rootLevels(100));
        assertEquals(1, ScanTree.height(1));
        assertEquals(2, ScanTree.height(3));
        assertEquals(3, ScanTree.height(4));
        assertEquals(11, ScanTree.height(1024));
    }

    @Test
    void testCostFormulas() {
        long total = 0;
        for (long n = 1; n <= 4096; n++) {
            total += ScanTree.aggregateCallsAtChunk(n);
            assertEquals(ScanTree.aggregateCalls(n), total, "sum of per-chunk costs up to " + n);
            assertTrue(ScanTree.aggregateCalls(n) < 2 * n);
            assertTrue(2 * Long.bitCount(n) <= ScanTree.maxStatesHeld(n));
            assertTrue(2 * Long.bitCount(n - 1) + 2 <= ScanTree.maxStatesHeld(n));
        }
    }

    @Test
    void testCostTableMeasurementsMatchTheFormulas() {
        for (int n : PsmCostTable.DOC_COUNTS) {
            PsmCostTable.Row row = PsmCostTable.measure(n);
            assertEquals(row.formulaAgg(), row.streamingAgg(), "streaming, n=" + n);
            assertEquals(row.formulaAgg(), row.parallelAgg(), "parallel, n=" + n);
            assertEquals(ScanTree.floorLog2(n) + 1, row.maxAggOneChunk(), "worst chunk, n=" + n);
            assertEquals(2 * Integer.bitCount(n), row.statesAtRest(), "at rest, n=" + n);
            assertTrue(row.peakStatesHeld() <= row.stateBound(), "peak, n=" + n);
        }
    }

    @Test
    void testDocsShowTheTableThisCodePrints() throws IOException {
        Path doc = Paths.get("").toAbsolutePath().getParent().resolve("docs").resolve("psm.md");
        Assumptions.assumeTrue(Files.exists(doc), "docs/psm.md not next to this module");
        String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
        String table = PsmCostTable.markdown(PsmCostTable.DOC_COUNTS);
        assertTrue(text.contains(table), "docs/psm.md must contain the table printed by PsmCostTable:\n" + table);
    }
}
