package io.scanflow.kernels.cpu;

/**
 * Per-thread buffers and reusable parallel-loop bodies of {@link VectorKernels}, made once per thread so
 * that steady-state kernel calls allocate nothing.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    /** Exponentials of a piece of an activation. */
    final float[] exp = new float[512];
    /** One row block of a partial GEMM panel. */
    final float[] panelRows = new float[PanelGemm.PARTIAL_FLOATS];
    /** The scan's decays exp(delta A) of a group of a block's rows, in a prefill ({@link Scan#decayFloats}). */
    private float[] decays = new float[0];
    /** A copy of a matrix being transposed, possibly in place (a conv window changing order). */
    private float[] transposeCopy = new float[0];
    final LinearJob linearJob = new LinearJob();
    final ScanJob scanJob = new ScanJob();

    /** The conv weight that {@link #convWeights} last transposed, its shape, and its transpose. */
    private float[] convSource;
    private int convChannels;
    private int convKernel;
    private float[] convWeights = new float[0];

    /**
     * {@code weight} ([channels, kernel]) transposed to [kernel, channels], kept while the same array comes
     * back: a batched step calls once per key and a prefill once per request with their layer's weight,
     * and model weights never change.
     */
    float[] convWeights(float[] weight, int channels, int kernel) {
        if (weight != convSource || channels != convChannels || kernel != convKernel) {
            if (convWeights.length < channels * kernel) {
                convWeights = new float[channels * kernel];
            }
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < kernel; k++) {
                    convWeights[k * channels + c] = weight[c * kernel + k];
                }
            }
            convSource = weight;
            convChannels = channels;
            convKernel = kernel;
        }
        return convWeights;
    }

    float[] scanDecays(int n) {
        if (decays.length < Scan.decayFloats(n)) {
            decays = new float[Scan.decayFloats(n)];
        }
        return decays;
    }

    float[] transposeCopy(int floats) {
        if (transposeCopy.length < floats) {
            transposeCopy = new float[floats];
        }
        return transposeCopy;
    }

    static Scratch get() {
        return PER_THREAD.get();
    }

    /**
     * A linear layer split into tasks of (panel, row chunk), panel-major, so that a thread streams each of
     * its panels once for its rows. Layers with few panels (x_proj's 80 columns are 3 panels, mamba-130m's
     * out_proj 12) also split the rows, or most threads would idle, into as many chunks as finish soonest
     * on the pool's threads ({@link #rowChunksFor}); each output is computed the same way in any split.
     */
    static final class LinearJob implements CpuPool.RangeBody {
        private float[] x, wp, bias, y;
        private int xOff, xStride, rows, in, out, yOff, yStride;
        private int rowChunks, rowsPerChunk;

        /** Returns the number of tasks to run over. */
        int set(float[] x, int xOff, int xStride, int rows, int in, float[] wp, float[] bias, int out,
                float[] y, int yOff, int yStride, int threads) {
            this.x = x;
            this.xOff = xOff;
            this.xStride = xStride;
            this.rows = rows;
            this.in = in;
            this.wp = wp;
            this.bias = bias;
            this.out = out;
            this.y = y;
            this.yOff = yOff;
            this.yStride = yStride;
            int panels = PanelGemm.panels(out);
            int block = PanelGemm.rowBlock(out);
            int blocks = ceilDiv(rows, block);
            rowsPerChunk = ceilDiv(blocks, rowChunksFor(panels, blocks, threads)) * block;
            rowChunks = ceilDiv(rows, rowsPerChunk);
            return panels * rowChunks;
        }

        /**
         * The row chunk count whose tasks finish first when threads claim them one at a time: rounds of
         * tasks (tasks / threads, rounded up) times a task's row blocks. At most {@link
         * CpuPool#CHUNKS_PER_THREAD} tasks per thread, the pool's chunks per thread, so that each chunk is one
         * task; of equal times the fewest chunks, which read each panel the fewest times. mamba-130m's out_proj at
         * 256 rows on 16 threads: 4 chunks, 3 rounds of 11 blocks, against 43 x 12 / 16 = 32.25 for a
         * perfect split.
         */
        static int rowChunksFor(int panels, int blocks, int threads) {
            int maxTasks = CpuPool.CHUNKS_PER_THREAD * threads;
            int best = 1;
            long bestTime = Long.MAX_VALUE;
            for (int chunks = 1; chunks <= blocks && (long) panels * chunks <= maxTasks; chunks++) {
                long time = (long) ceilDiv(panels * chunks, threads) * ceilDiv(blocks, chunks);
                if (time < bestTime) {
                    best = chunks;
                    bestTime = time;
                }
            }
            return best;
        }

        private static int ceilDiv(int v, int d) {
            return (v + d - 1) / d;
        }

        void clear() {
            x = wp = bias = y = null;
        }

        @Override
        public void run(int from, int to) {
            float[] tmp = get().panelRows;
            for (int task = from; task < to; task++) {
                int panel = task / rowChunks;
                int r0 = (task % rowChunks) * rowsPerChunk;
                int r = Math.min(rowsPerChunk, rows - r0);
                PanelGemm.run(x, xOff + r0 * xStride, xStride, r, in, wp, bias, out, panel, panel + 1, y,
                        yOff + r0 * yStride, yStride, tmp);
            }
        }
    }

    /** A selective scan split by blocks of {@link Scan#L} channels. */
    static final class ScanJob implements CpuPool.RangeBody {
        private float[] delta, u, z, bc, negA, d, state, y;
        private int channels, n, rows, rowOff, zOff, zStride, bOff, cOff, bcStride, stateOff;

        void set(int channels, int n, int rows, float[] delta, float[] u, int rowOff, float[] z, int zOff,
                 int zStride, float[] bc, int bOff, int cOff, int bcStride, float[] negA, float[] d,
                 float[] state, int stateOff, float[] y) {
            this.channels = channels;
            this.n = n;
            this.rows = rows;
            this.delta = delta;
            this.u = u;
            this.rowOff = rowOff;
            this.z = z;
            this.zOff = zOff;
            this.zStride = zStride;
            this.bc = bc;
            this.bOff = bOff;
            this.cOff = cOff;
            this.bcStride = bcStride;
            this.negA = negA;
            this.d = d;
            this.state = state;
            this.stateOff = stateOff;
            this.y = y;
        }

        void clear() {
            delta = u = z = bc = negA = d = state = y = null;
        }

        @Override
        public void run(int from, int to) {
            Scan.channels(from * Scan.L, Math.min(channels, to * Scan.L), channels, n, rows, delta, u, rowOff, z,
                    zOff, zStride, bc, bOff, cOff, bcStride, negA, d, state, stateOff, y, get().scanDecays(n));
        }
    }
}
