package io.scanflow.kernels.cpu;

/**
 * Per-thread buffers and reusable parallel-loop bodies of {@link VectorKernels}, made once per thread so
 * that steady-state kernel calls allocate nothing.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

    /** Exponentials of a piece of an activation. */
    final float[] exp = new float[512];
    /** exp(delta A) of the channels of a one-row scan. */
    private float[] decay = new float[0];
    /** Four rows of a partial GEMM panel. */
    final float[] panelRows = new float[4 * PanelGemm.PANEL];
    /** A block of SSM state transposed to [N, lanes], and A likewise. */
    float[] stateBlock = new float[0];
    float[] negABlock = new float[0];
    /** exp(delta A) of one row of a block, [N, lanes]. */
    float[] decayBlock = new float[0];
    final LinearJob linearJob = new LinearJob();
    final ScanJob scanJob = new ScanJob();

    private float[] convWeights = new float[0];

    /** Conv weights transposed to [K, channels]. */
    float[] convWeights(int floats) {
        if (convWeights.length < floats) {
            convWeights = new float[floats];
        }
        return convWeights;
    }

    float[] decay(int floats) {
        if (decay.length < floats) {
            decay = new float[floats];
        }
        return decay;
    }

    static Scratch get() {
        return PER_THREAD.get();
    }

    void ensureScanBlock(int floats) {
        if (stateBlock.length < floats) {
            stateBlock = new float[floats];
            negABlock = new float[floats];
            decayBlock = new float[floats];
        }
    }

    /** A linear layer split by panels; each thread uses its own partial-panel row. */
    static final class LinearJob implements CpuPool.RangeBody {
        private float[] x, wp, bias, y;
        private int xOff, xStride, rows, in, out, yOff, yStride;

        void set(float[] x, int xOff, int xStride, int rows, int in, float[] wp, float[] bias, int out,
                 float[] y, int yOff, int yStride) {
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
        }

        void clear() {
            x = wp = bias = y = null;
        }

        @Override
        public void run(int from, int to) {
            PanelGemm.run(x, xOff, xStride, rows, in, wp, bias, out, from, to, y, yOff, yStride, get().panelRows);
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
                    zOff, zStride, bc, bOff, cOff, bcStride, negA, d, state, stateOff, y, get());
        }
    }
}
