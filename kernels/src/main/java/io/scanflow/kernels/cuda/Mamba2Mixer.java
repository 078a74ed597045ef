package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.model.config.Mamba2Config;

/**
 * The Mamba-2 (SSD) block on the device (see {@code io.scanflow.model.mamba.Mamba2} for the math):
 * in_proj GEMM to [z, xBC, dt], causal conv + SiLU over xBC (window from/to the slot), the SSD scan
 * (prefill: block form, one CUDA block per request and head; step: the recurrence per slot), the gated
 * RMSNorm, and out_proj with the residual add fused.
 *
 * <p>State layout per slot and layer, as the reference: conv window [convDim, K-1], then SSM [H, P, N].
 */
final class Mamba2Mixer extends DeviceMixer {
    /** Tokens per SSD block inside the kernel (SF_M2_Q). */
    private static final int Q = 32;
    private static final int MAX_SMEM = 227 * 1024;

    private final Mamba2Config cfg;
    private final Launcher l;
    private final int d, e, n, k, h, p, g, conv, proj, tpc, ssdSmem;
    private final long[] inProj, inBias, convW, convB, dtBias, negA, negA2, dSkip, gnorm, outProj, outBias;
    private final DeviceBuffer zx, xbc, y;

    Mamba2Mixer(Mamba2Config cfg, DeviceWeights w, Launcher launcher, int maxRows) {
        super((long) cfg.convDim() * (cfg.convKernel() - 1), (long) cfg.intermediateSize() * cfg.stateSize(),
                cfg.numLayers());
        this.cfg = cfg;
        this.l = launcher;
        d = cfg.hiddenSize();
        e = cfg.intermediateSize();
        n = cfg.stateSize();
        k = cfg.convKernel();
        h = cfg.numHeads();
        p = cfg.headDim();
        g = cfg.numGroups();
        conv = cfg.convDim();
        proj = cfg.inProjSize();
        tpc = Launcher.threadsPerChannel(n);
        long smem = 4L * ((long) p * n + 2L * Q * n + (long) Q * p + (long) Q * Q + 4L * Q);
        if (smem > MAX_SMEM) {
            throw new IllegalArgumentException("Mamba-2 head state " + p + "x" + n + " needs " + smem
                    + " bytes of shared memory in the SSD kernel; the CUDA backend supports up to " + MAX_SMEM);
        }
        ssdSmem = (int) smem;
        if (ssdSmem > 48 * 1024) {
            l.allowSharedMemory("m2_ssd_fwd", ssdSmem);
        }
        int layers = cfg.numLayers();
        inProj = new long[layers];
        inBias = new long[layers];
        convW = new long[layers];
        convB = new long[layers];
        dtBias = new long[layers];
        negA = new long[layers];
        negA2 = new long[layers];
        dSkip = new long[layers];
        gnorm = new long[layers];
        outProj = new long[layers];
        outBias = new long[layers];
        for (int i = 0; i < layers; i++) {
            inProj[i] = w.require(i + ".in_proj");
            inBias[i] = w.ptr(i + ".in_proj_bias");
            convW[i] = w.require(i + ".conv_w");
            convB[i] = w.ptr(i + ".conv_b");
            dtBias[i] = w.require(i + ".dt_bias");
            negA[i] = w.require(i + ".negA");
            negA2[i] = w.require(i + ".negA2");
            dSkip[i] = w.require(i + ".D");
            gnorm[i] = w.require(i + ".gated_norm");
            outProj[i] = w.require(i + ".out_proj");
            outBias[i] = w.ptr(i + ".out_proj_bias");
        }
        DeviceBuffer[] made = scratch(new String[] {"zxbcdt", "xBC", "y"},
                (long) maxRows * proj, (long) maxRows * conv, (long) maxRows * e);
        zx = made[0];
        xbc = made[1];
        y = made[2];
    }

    /** Floats of workspace per token row: in_proj's output, xBC and y. */
    static long workspaceFloatsPerRow(Mamba2Config cfg) {
        return (long) cfg.inProjSize() + cfg.convDim() + cfg.intermediateSize();
    }

    @Override
    void prefill(int layer, long normed, long residual, int rows, Pass pass) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], zx.address(), proj, rows, proj, d, false);
        l.launch("conv_fwd", ceilDiv(conv, 128), ceilDiv(pass.maxLen, CONV_TOKENS), pass.requests, 128, 0,
                args().ptr(zx.at4(e)).i(proj).ptr(pass.states).l(pass.stateFloats).l(convOffset(layer))
                        .ptr(pass.reqRow).ptr(pass.reqLen).ptr(pass.reqSlot).ptr(convW[layer]).ptr(convB[layer])
                        .ptr(xbc.address()).i(conv).i(conv).i(k));
        l.launch("conv_window_update", ceilDiv(conv, 128), pass.requests, 1, 128, 0,
                args().ptr(zx.at4(e)).i(proj).ptr(pass.states).l(pass.stateFloats).l(convOffset(layer))
                        .ptr(pass.reqRow).ptr(pass.reqLen).ptr(pass.reqSlot).i(conv).i(k));
        l.launch("m2_ssd_fwd", h, pass.requests, 1, 256, ssdSmem,
                args().ptr(xbc.address()).i(conv).ptr(zx.at4((long) e + conv)).i(proj)
                        .ptr(dtBias[layer]).ptr(negA[layer]).ptr(dSkip[layer]).f(cfg.dtMin()).f(cfg.dtMax())
                        .ptr(y.address()).i(e).ptr(pass.states).l(pass.stateFloats).l(ssmOffset(layer))
                        .ptr(pass.reqRow).ptr(pass.reqLen).ptr(pass.reqSlot).i(h).i(p).i(n).i(g));
        gatedNormAndOut(layer, residual, rows);
    }

    @Override
    void step(int layer, long normed, long residual, int count, Pass pass) {
        l.gemm(normed, d, inProj[layer], d, inBias[layer], zx.address(), proj, count, proj, d, false);
        l.launch("conv_step", ceilDiv(conv, 128), count, 1, 128, 0,
                args().ptr(zx.at4(e)).i(proj).ptr(pass.states).l(pass.stateFloats).l(convOffset(layer))
                        .ptr(pass.slots).ptr(convW[layer]).ptr(convB[layer]).ptr(xbc.address()).i(conv).i(conv).i(k));
        l.launch("m2_scan_step", ceilDiv(e, 32), count, 1, 32 * tpc, 0,
                args().ptr(xbc.address()).i(conv).ptr(zx.at4((long) e + conv)).i(proj)
                        .ptr(dtBias[layer]).ptr(negA2[layer]).ptr(dSkip[layer]).f(cfg.dtMin()).f(cfg.dtMax())
                        .ptr(y.address()).i(e).ptr(pass.states).l(pass.stateFloats).l(ssmOffset(layer))
                        .ptr(pass.slots).i(h).i(p).i(n).i(g).i(tpc));
        gatedNormAndOut(layer, residual, count);
    }

    private void gatedNormAndOut(int layer, long residual, int rows) {
        int group = cfg.normGroupSize();
        l.launch("gated_rmsnorm", rows, e / group, 1, 128, 0,
                args().ptr(y.address()).i(e).ptr(zx.address()).i(proj).ptr(gnorm[layer]).f(cfg.normEpsilon())
                        .i(rows).i(e).i(group));
        l.gemm(y.address(), e, outProj[layer], e, outBias[layer], residual, d, rows, d, e, true);
    }

    @Override
    public void close() {
        zx.close();
        xbc.close();
        y.close();
    }
}
