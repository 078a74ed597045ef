package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How a linear layer's rows are cut for the pool, at mamba-130m's batch-256 step on 16 threads. */
class LinearSplitTest {
    private static final int THREADS = 16;
    private static final int WIDE_BLOCKS = 43; // 256 rows in blocks of 6
    private static final int NARROW_BLOCKS = 32; // 256 rows in blocks of 8

    @Test
    void manyPanelsAreNotSplitByRows() {
        assertEquals(1, Scratch.LinearJob.rowChunksFor(48, WIDE_BLOCKS, THREADS)); // in_proj, 3072 columns
        assertEquals(1, Scratch.LinearJob.rowChunksFor(786, WIDE_BLOCKS, THREADS)); // the LM head
    }

    @Test
    void fewPanelsGetTheRowChunksThatFillEveryThread() {
        // out_proj, 768 columns: 12 panels x 4 chunks = 3 rounds of 16 tasks of 11 blocks.
        assertEquals(4, Scratch.LinearJob.rowChunksFor(12, WIDE_BLOCKS, THREADS));
        // x_proj, 80 columns: 3 narrow panels x 16 chunks = 3 rounds of 2 blocks, a perfect split.
        assertEquals(16, Scratch.LinearJob.rowChunksFor(3, NARROW_BLOCKS, THREADS));
        // dt_proj, 1536 columns: 24 panels x 2 chunks = 3 rounds of 22 blocks.
        assertEquals(2, Scratch.LinearJob.rowChunksFor(24, WIDE_BLOCKS, THREADS));
    }

    @Test
    void oneThreadOrOneBlockKeepsTheRowsWhole() {
        assertEquals(1, Scratch.LinearJob.rowChunksFor(12, WIDE_BLOCKS, 1));
        assertEquals(1, Scratch.LinearJob.rowChunksFor(3, 1, THREADS));
    }
}
