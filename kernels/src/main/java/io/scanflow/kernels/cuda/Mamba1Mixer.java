package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.model.config.MambaConfig;

/**
 * The Mamba-1 block on the device (see {@code io.scanflow.model.mamba.Mamba1} for the math):
 * in_proj GEMM, causal conv + SiLU (window from/to the slot), x_proj and dt_proj GEMMs, the fused
 * selective scan (softplus, discretization, scan, C contraction, D skip, SiLU(z) gate; state from/to the
 * slot), and out_proj GEMM with the residual add fused. Seven launches per layer and pass (eight in
 * prefill, where the conv window update is its own launch).
 *
 * <p>State layout per slot and layer, as the reference: conv window [E, K-1], then SSM state [E, N].
 */
final class Mamba1Mixer extends DeviceMixer {
    private final MambaConfig cfg;
    private final Launcher l;
    private final int d, e, n, k, r, xw, tpc;
    private final long[] inProj, inBias, convW, convB, xProj, dtProj, dtBias, a2, dSkip, outProj, outBias;
    private final DeviceBuffer xz, u, xdbl, dt, y;
    private final boolean[] sharedAllowed = new boolean[17];

    Mamba1Mixer(MambaConfig cfg, DeviceWeights w, Launcher launcher, int maxRows) {
        super((long) cfg.intermediateSize() * (cfg.convKernel() - 1), (long) cfg.intermediateSize() * cfg.stateSize(),
                cfg.numLayers());
        this.cfg = cfg;
        this.l = launcher;
        d = cfg.hiddenSize();
        e = cfg.intermediateSize();
        n = cfg.stateSize();
        k = cfg.convKernel();
        r = cfg.dtRank();
        xw = r + 2 * n;
        tpc = Launcher.threadsPerChannel(n);
        int layers = cfg.numLayers();
        inProj = new long[layers];
        inBias = new long[layers];
        convW = new long[layers];
        convB = new long[layers];
        xProj = new long[layers];
        dtProj = new long[layers];
        dtBias = new long[layers];
        a2 = new long[layers];
        dSkip = new long[layers];
        outProj = new long[layers];
        outBias = new long[layers];
        for (int i = 0; i < layers; i++) {
            inProj[i] = w.require(i + ".in_proj");
            inBias[i] = w.ptr(i + ".in_proj_bias");
            convW[i] = w.require(i + ".conv_w");
            convB[i] = w.ptr(i + ".conv_b");
            xProj[i] = w.require(i + ".x_proj");
            dtProj[i] = w.require(i + ".dt_proj");
            dtBias[i] = w.require(i + ".dt_bias");
            a2[i] = w.require(i + ".A2");
            dSkip[i] = w.require(i + ".D");
            outProj[i] = w.require(i + ".out_proj");
            outBias[i] = w.ptr(i + ".out_proj_bias");
        }
        if (k < 1 || k > 64) {
            throw new IllegalArgumentException("conv kernel " + k + " unsupported");
        }
        DeviceBuffer[] made = scratch(new String[] {"xz", "u", "x_proj out", "dt", "y"},
                (long) maxRows * 2 * e, (long) maxRows * e, (long) maxRows * xw, (long) maxRows * e, (long) maxRows * e);
        xz = made[0];
        u = made[1];
        xdbl = made[2];
        dt = made[3];
        y = made[4];
    }

    @Override
    void prefill(int layer, long normed, long residual, int rows, Pass p) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], xz.address(), 2 * e, rows, 2 * e, d, false);
        l.launch("conv_fwd", ceilDiv(e, 128), ceilDiv(p.maxLen, 16), p.requests, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).ptr(convW[layer]).ptr(convB[layer])
                        .ptr(u.address()).i(e).i(e).i(k));
        l.launch("conv_window_update", ceilDiv(e, 128), p.requests, 1, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).i(e).i(k));
        l.gemm(u.address(), e, xProj[layer], e, 0L, xdbl.address(), xw, rows, xw, e, false);
        l.gemm(xdbl.address(), xw, dtProj[layer], r, 0L, dt.address(), e, rows, e, r, false);
        int cg = chunkedGroup(e, n, p.requests, l.device.multiprocessors());
        if (cg > 0) {
            String kernel = "m1_scan_chunked_c" + cg;
            int bytes = chunkedSharedBytes(cg, n);
            if (!sharedAllowed[cg]) {
                l.allowSharedMemory(kernel, bytes);
                sharedAllowed[cg] = true;
            }
            l.launch(kernel, ceilDiv(e, cg), p.requests, 1, 32 * cg, bytes,
                    scanArgs(layer, p).ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).i(e).i(n));
        } else {
            l.launch("m1_scan_fwd_t" + tpc, ceilDiv(e, 32), p.requests, 1, 32 * tpc, 0,
                    scanArgs(layer, p).ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).i(e).i(n));
        }
        l.gemm(y.address(), e, outProj[layer], e, outBias[layer], residual, d, rows, d, e, true);
    }

    @Override
    void step(int layer, long normed, long residual, int count, Pass p) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], xz.address(), 2 * e, count, 2 * e, d, false);
        l.launch("conv_step", ceilDiv(e, 128), count, 1, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.slots).ptr(convW[layer]).ptr(convB[layer]).ptr(u.address()).i(e).i(e).i(k));
        l.gemm(u.address(), e, xProj[layer], e, 0L, xdbl.address(), xw, count, xw, e, false);
        l.gemm(xdbl.address(), xw, dtProj[layer], r, 0L, dt.address(), e, count, e, r, false);
        l.launch("m1_scan_step", ceilDiv(e, 32), count, 1, 32 * tpc, 0,
                scanArgs(layer, p).ptr(p.slots).i(e).i(n).i(tpc));
        l.gemm(y.address(), e, outProj[layer], e, outBias[layer], residual, d, count, d, e, true);
    }

    /** Tokens per segment of the chunked scan (32 lanes x 8 tokens) and its padded shared row (floats). */
    static final int CHUNKED_SEGMENT = 256, CHUNKED_ROW = CHUNKED_SEGMENT + CHUNKED_SEGMENT / 8 + 4;
    /** The most dynamic shared memory a block may ask for on sm_80 / sm_90 (227 KB). */
    static final int MAX_SHARED = 227 * 1024;

    /** Dynamic shared memory of {@code m1_scan_chunked_c{cg}} (as sf_m1c::shared_floats). */
    static int chunkedSharedBytes(int cg, int n) {
        long floats = 2L * (3 * cg + 2 * n) * CHUNKED_ROW + (long) cg * CHUNKED_ROW + 2L * cg * n;
        return (int) Math.min(Integer.MAX_VALUE, 4 * floats);
    }

    /**
     * Which prefill scan runs: {@code -Dscanflow.cuda.scan=auto|chunked|sequential}. Returns CG (channels per
     * block of the time-parallel {@code m1_scan_chunked_c{CG}}), or 0 for the sequential
     * {@code m1_scan_fwd_t{TPC}}. {@code chunked}: CG from {@code -Dscanflow.cuda.scanGroup=4|8|16}, else the
     * largest whose shared memory fits. {@code auto} (default): the chunked kernel with CG 16 while its blocks
     * (ceil(E / 16) per request) are at most {@link #AUTO_BLOCKS_PER_SM} per SM, the sequential kernel past
     * that (many requests: it then has the parallelism it lacks otherwise and is the faster, docs/performance.md
     * table 1). State sizes whose buffers do not fit a block's shared memory always take the sequential kernel.
     */
    static int chunkedGroup(int e, int n, int requests, int sms) {
        String mode = System.getProperty("scanflow.cuda.scan", "auto").toLowerCase(java.util.Locale.ROOT);
        if (mode.equals("sequential")) {
            return 0;
        }
        int forced = Integer.getInteger("scanflow.cuda.scanGroup", 0);
        if (mode.equals("chunked") && (forced == 4 || forced == 8 || forced == 16)) {
            return chunkedSharedBytes(forced, n) <= MAX_SHARED ? forced : 0;
        }
        for (int cg = 16; cg >= 4; cg >>= 1) {
            if (chunkedSharedBytes(cg, n) <= MAX_SHARED) {
                if (mode.equals("chunked") || (long) ceilDiv(e, cg) * requests <= (long) AUTO_BLOCKS_PER_SM * sms) {
                    return cg;
                }
                return 0;
            }
        }
        return 0;
    }

    /** {@code auto}'s limit on chunked-scan blocks per SM (measured cross-over, docs/performance.md table 1). */
    static final int AUTO_BLOCKS_PER_SM = 6;

    /** The arguments m1_scan_fwd and m1_scan_step share, up to the state offset. */
    private Launcher.Args scanArgs(int layer, Pass p) {
        return args().ptr(u.address()).i(e).ptr(dt.address()).i(e).ptr(dtBias[layer]).ptr(a2[layer])
                .ptr(xdbl.address()).i(xw).i(r).i(r + n).ptr(dSkip[layer])
                .ptr(xz.at4(e)).i(2 * e).ptr(y.address()).i(e)
                .ptr(p.states).l(p.stateFloats).l(ssmOffset(layer));
    }

    @Override
    public void close() {
        xz.close();
        u.close();
        xdbl.close();
        dt.close();
        y.close();
    }
}
