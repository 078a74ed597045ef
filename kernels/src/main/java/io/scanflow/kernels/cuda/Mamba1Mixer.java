package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.model.config.MambaConfig;

/**
 * The Mamba-1 block on the device (see {@code io.scanflow.model.mamba.Mamba1} for the math):
 * in_proj GEMM, causal conv + SiLU (window from/to the slot), x_proj GEMM, dt_proj with the softplus
 * ({@code m1_delta}), the fused selective scan (discretization, scan, C contraction, D skip, SiLU(z) gate;
 * state from/to the slot), and out_proj GEMM with the residual add fused. Seven launches per layer and pass
 * (eight in prefill, where the conv window update is its own launch; nine with the scan's time split).
 *
 * <p>State layout per slot and layer, as the reference: conv window [E, K-1], then SSM state [E, N].
 */
final class Mamba1Mixer extends DeviceMixer {
    private final MambaConfig cfg;
    private final Launcher l;
    private final int d, e, n, k, r, xw, tpc;
    private final long[] inProj, inBias, convW, convB, xProj, dtProj, dtBias, a2, dSkip, outProj, outBias;
    private final DeviceBuffer xz, u, xdbl, delta, y, carry;
    /** Floats of {@link #carry}: the time-split scan's summaries for two waves of threads. */
    private final long carryCapacity;

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
        carryCapacity = carryFloats(n, 2L * SCAN_WAVE_PER_SM * launcher.device.multiprocessors());
        DeviceBuffer[] made = scratch(new String[] {"xz", "u", "x_proj out", "delta", "y", "scan carry"},
                (long) maxRows * 2 * e, (long) maxRows * e, (long) maxRows * xw, (long) maxRows * e, (long) maxRows * e,
                carryCapacity);
        xz = made[0];
        u = made[1];
        xdbl = made[2];
        delta = made[3];
        y = made[4];
        carry = made[5];
    }

    /** Floats of workspace per token row: xz, u, delta, y and x_proj's output. */
    static long workspaceFloatsPerRow(MambaConfig cfg) {
        return 5L * cfg.intermediateSize() + cfg.dtRank() + 2L * cfg.stateSize();
    }

    @Override
    void prefill(int layer, long normed, long residual, int rows, Pass p) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], xz.address(), 2 * e, rows, 2 * e, d, false);
        l.launch("conv_fwd", ceilDiv(e, 128), ceilDiv(p.maxLen, CONV_TOKENS), p.requests, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).ptr(convW[layer]).ptr(convB[layer])
                        .ptr(u.address()).i(e).i(e).i(k));
        l.launch("conv_window_update", ceilDiv(e, 128), p.requests, 1, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).i(e).i(k));
        l.gemm(u.address(), e, xProj[layer], e, 0L, xdbl.address(), xw, rows, xw, e, false);
        delta(layer, rows);
        scan(l, scanArgs(layer, p).ptr(p.reqRow).ptr(p.reqLen).ptr(p.reqSlot).i(e).i(n).ptr(carry.address()),
                e, n, p.requests, p.maxLen, scanSegments(l.tuning(), e, n, p.requests, p.maxLen, l.device.multiprocessors(),
                        carryCapacity));
        l.gemm(y.address(), e, outProj[layer], e, outBias[layer], residual, d, rows, d, e, true);
    }

    @Override
    void step(int layer, long normed, long residual, int count, Pass p) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], xz.address(), 2 * e, count, 2 * e, d, false);
        l.launch("conv_step", ceilDiv(e, 128), count, 1, 128, 0,
                args().ptr(xz.address()).i(2 * e).ptr(p.states).l(p.stateFloats).l(convOffset(layer))
                        .ptr(p.slots).ptr(convW[layer]).ptr(convB[layer]).ptr(u.address()).i(e).i(e).i(k));
        l.gemm(u.address(), e, xProj[layer], e, 0L, xdbl.address(), xw, count, xw, e, false);
        delta(layer, count);
        l.launch("m1_scan_step", ceilDiv(e, 32), count, 1, 32 * tpc, 0,
                scanArgs(layer, p).ptr(p.slots).i(e).i(n).i(tpc));
        l.gemm(y.address(), e, outProj[layer], e, outBias[layer], residual, d, count, d, e, true);
    }

    /** delta = softplus(dt_proj(dt_low) + dt_bias) of {@code rows} rows, from x_proj's output into {@link #delta}. */
    private void delta(int layer, int rows) {
        delta(l, xdbl.address(), xw, dtProj[layer], r, dtBias[layer], delta.address(), e, rows);
    }

    /**
     * {@code m1_delta}: out [rows, e] = softplus(x [rows, r] (row stride ldx) w^T + bias); blocks of 128 channels
     * walk row tiles of 64, two blocks per SM in all.
     */
    static void delta(Launcher l, long x, int ldx, long w, int r, long bias, long out, int e, int rows) {
        int gx = ceilDiv(e, 128);
        int gy = Math.min(ceilDiv(rows, 64), ceilDiv(2L * l.device.multiprocessors(), gx));
        l.launch("m1_delta", gx, gy, 1, 256, 0, args().ptr(x).i(ldx).ptr(w).i(r).ptr(bias).ptr(out).i(e).i(rows).i(e));
    }

    /** Threads per block and tokens per tile of {@code m1_scan_fwd_n*} / {@code m1_scan_sum_n*}. */
    static final int SCAN_THREADS = 128, SCAN_TILE = 8;
    /**
     * {@code auto}: threads per SM of one wave of the one-thread-per-channel scan (6 blocks of 128); a pass with
     * fewer than half of that is split into segments until about one wave, none shorter than
     * {@link #SCAN_MIN_SEGMENT} tokens (each segment re-composes the summaries of those before it).
     */
    static final int SCAN_WAVE_PER_SM = 768, SCAN_MIN_SEGMENT = 64;

    /** Padded state count of the scan build for N states: 4, 8, 16, 32, 64 or 128. */
    static int scanStates(int n) {
        int np = 4;
        while (np < n) {
            np <<= 1;
        }
        if (np > 128) {
            throw new IllegalArgumentException("state size " + n + " is above the CUDA backend's limit of 128");
        }
        return np;
    }

    /** Threads per channel of the scan: one up to 16 states, then 16 states per thread. */
    static int scanThreadsPerChannel(int n) {
        return Math.max(1, scanStates(n) / 16);
    }

    /** Floats of segment summary per thread and segment: its states and the summed deltas. */
    static int carryFloatsPerThread(int n) {
        return scanStates(n) / scanThreadsPerChannel(n) + 1;
    }

    /** Carry floats that hold the summaries of {@code threads} threads x segments. */
    static long carryFloats(int n, long threadSegments) {
        return threadSegments * carryFloatsPerThread(n);
    }

    /**
     * Segments per request of a prefill pass's scan under {@code tuning}. {@link CudaTuning.ScanSplit#SEQUENTIAL}:
     * 1, one launch. {@link CudaTuning.ScanSplit#AUTO}: 1 while the pass has at least half a wave of threads
     * (requests x channels x threads per channel; {@link #SCAN_WAVE_PER_SM}), else as many segments as one
     * wave holds, at most one per {@link #SCAN_MIN_SEGMENT} tokens; a {@link CudaTuning#scanSegment} asks for
     * segments of that many tokens instead. Never more than the carry buffer holds ({@code carryCapacity}
     * floats).
     */
    static int scanSegments(CudaTuning tuning, int e, int n, int requests, int maxLen, int sms, long carryCapacity) {
        if (tuning.scan() == CudaTuning.ScanSplit.SEQUENTIAL || maxLen <= SCAN_TILE) {
            return 1;
        }
        long threads = (long) requests * e * scanThreadsPerChannel(n);
        long wave = (long) SCAN_WAVE_PER_SM * sms;
        int forced = tuning.scanSegment();
        long segs;
        if (forced > 0) {
            segs = ceilDiv(maxLen, forced);
        } else if (2 * threads >= wave) {
            return 1;
        } else {
            segs = Math.min(wave / threads, Math.max(1, maxLen / SCAN_MIN_SEGMENT));
        }
        return (int) Math.max(1, Math.min(segs, carryCapacity / carryFloats(n, threads)));
    }

    /** Tokens per segment for {@code segs} segments: a multiple of the tile, covering the longest request. */
    static int segmentLength(int maxLen, int segs) {
        return ceilDiv(ceilDiv(maxLen, segs), SCAN_TILE) * SCAN_TILE;
    }

    /**
     * The fused prefill scan of a pass: {@code args} are the kernels' arguments up to {@code carry}; the
     * segment length is appended here. With one segment one launch, else the summaries of every segment but
     * the last, then the scan.
     */
    static void scan(Launcher l, Launcher.Args args, int e, int n, int requests, int maxLen, int segs) {
        int np = scanStates(n);
        int gx = ceilDiv(e * scanThreadsPerChannel(n), SCAN_THREADS);
        args.i(segs == 1 ? Math.max(maxLen, 1) : segmentLength(maxLen, segs));
        if (segs > 1) {
            l.launch("m1_scan_sum_n" + np, gx, segs - 1, requests, SCAN_THREADS, 0, args);
        }
        l.launch("m1_scan_fwd_n" + np, gx, segs, requests, SCAN_THREADS, 0, args);
    }

    /** The arguments the prefill scans and m1_scan_step share, up to the state offset. */
    private Launcher.Args scanArgs(int layer, Pass p) {
        return args().ptr(u.address()).i(e).ptr(delta.address()).i(e).ptr(a2[layer])
                .ptr(xdbl.address()).i(xw).i(r).i(r + n).ptr(dSkip[layer])
                .ptr(xz.at4(e)).i(2 * e).ptr(y.address()).i(e)
                .ptr(p.states).l(p.stateFloats).l(ssmOffset(layer));
    }

    @Override
    public void close() {
        xz.close();
        u.close();
        xdbl.close();
        delta.close();
        y.close();
        carry.close();
    }
}
