package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.sampling.SamplingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * On-device generation for Mamba-1 models ({@code m1_generate}): one launch advances a set of slots by
 * many tokens, every sampled token fed back as the next input on the device. A block owns a group of
 * slots and walks all steps of all layers, the head and the sampling on its own, so the host pays one
 * launch per call instead of one per token.
 *
 * <p>Limits ({@link #supports}): hidden size and vocabulary at most 1024, inner size at most 4096, at most
 * {@link #MAX_TRANSPOSED_FLOATS} floats of dense weights (the engine keeps transposed, column-padded
 * copies of them, made on the device), and the block's shared memory (activations of its slots, plus the
 * sort scratch when sampling) within {@link #MAX_SMEM}.
 */
final class Mamba1Generator implements AutoCloseable {
    static final int MAX_HIDDEN = 1024, MAX_INNER = 4096, MAX_VOCAB = 1024;
    static final int MAX_SLOTS_PER_BLOCK = 32;
    /** 64 MB of transposed weight copies per engine at most; larger models loop over the step kernels. */
    static final long MAX_TRANSPOSED_FLOATS = 16L << 20;
    private static final int THREADS = 256, WARPS = THREADS / 32;
    private static final int MAX_SMEM = 200 * 1024;
    /** Blocks per SM the launch bounds allow; slot groups are sized so that many blocks exist. */
    private static final int BLOCKS_PER_SM = 2;

    private final MambaConfig cfg;
    private final Launcher l;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer table;
    private final long embedding, finalNorm, lmT;
    private final int d, e, n, r, k, v, vp;
    private int smemAllowed;
    private int slotsPerBlockOverride;

    /** Whether {@code m1_generate} runs this model (else the engine loops over its step kernels). */
    static boolean supports(MambaConfig cfg) {
        if (cfg.hiddenSize() > MAX_HIDDEN || cfg.intermediateSize() > MAX_INNER || cfg.vocabSize() > MAX_VOCAB
                || cfg.vocabSize() < 1 || cfg.convKernel() < 1) {
            return false;
        }
        long d = cfg.hiddenSize(), e = cfg.intermediateSize(), xw = cfg.dtRank() + 2L * cfg.stateSize();
        long dense = cfg.numLayers() * (d * round4(2 * (int) e) + e * round4((int) xw) + cfg.dtRank() * round4((int) e)
                + e * round4((int) d)) + d * round4(cfg.vocabSize());
        return dense <= MAX_TRANSPOSED_FLOATS && sharedBytes(cfg, 1, true) <= MAX_SMEM;
    }

    private static int round4(int x) {
        return (x + 3) & ~3;
    }

    private static int pow2(int x) {
        int p = 1;
        while (p < x) {
            p <<= 1;
        }
        return p;
    }

    /** Dynamic shared memory of a block of {@code s} slots; the layout is the kernel's. */
    static int sharedBytes(MambaConfig cfg, int s, boolean sampling) {
        int d = cfg.hiddenSize(), e = cfg.intermediateSize();
        int xw4 = round4(cfg.dtRank() + 2 * cfg.stateSize());
        int region = Math.max(4 * e + xw4, round4(cfg.vocabSize()));
        long floats = (long) s * (2L * d + region) + ((s + 1) & ~1);
        long bytes = 4 * floats + 16L * s;
        if (sampling) {
            bytes += (long) WARPS * pow2(cfg.vocabSize()) * (4 + 8);
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    Mamba1Generator(MambaConfig cfg, DeviceWeights w, long lmHead, Launcher launcher) {
        this.cfg = cfg;
        this.l = launcher;
        d = cfg.hiddenSize();
        e = cfg.intermediateSize();
        n = cfg.stateSize();
        r = cfg.dtRank();
        k = cfg.convKernel();
        v = cfg.vocabSize();
        vp = pow2(v);
        int xw = r + 2 * n;
        int layers = cfg.numLayers();
        long[] ptrs = new long[12 * layers];
        try {
            for (int i = 0; i < layers; i++) {
                ptrs[12 * i] = w.require(i + ".norm");
                ptrs[12 * i + 1] = transposed(w.require(i + ".in_proj"), 2 * e, d);
                ptrs[12 * i + 2] = w.ptr(i + ".in_proj_bias");
                ptrs[12 * i + 3] = w.require(i + ".conv_w");
                ptrs[12 * i + 4] = w.ptr(i + ".conv_b");
                ptrs[12 * i + 5] = transposed(w.require(i + ".x_proj"), xw, e);
                ptrs[12 * i + 6] = transposed(w.require(i + ".dt_proj"), e, r);
                ptrs[12 * i + 7] = w.require(i + ".dt_bias");
                ptrs[12 * i + 8] = w.require(i + ".A2");
                ptrs[12 * i + 9] = w.require(i + ".D");
                ptrs[12 * i + 10] = transposed(w.require(i + ".out_proj"), d, e);
                ptrs[12 * i + 11] = w.ptr(i + ".out_proj_bias");
            }
            lmT = transposed(lmHead, v, d);
            table = DeviceBuffer.allocate(8L * ptrs.length, "generate weight table");
            owned.add(table);
            table.write(ptrs);
            l.sync("generate weights");
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
        embedding = w.require("embedding");
        finalNorm = w.require("norm_f");
    }

    /** A [cols][round4(rows)] copy of the row-major [rows][cols] weight, pad columns zero. */
    private long transposed(long src, int rows, int cols) {
        int ld = round4(rows);
        DeviceBuffer t = DeviceBuffer.floats((long) cols * ld, "transposed weight");
        owned.add(t);
        t.fill(0, (long) cols * ld, 0);
        l.launch("transpose_pad", ceilDiv((long) rows * cols, 256), 1, 1, 256, 0,
                args().ptr(src).i(rows).i(cols).ptr(t.address()).i(ld));
        return t.address();
    }

    /**
     * Slots per block for {@code count} slots: enough blocks for {@value #BLOCKS_PER_SM} per SM where the
     * count allows, at most {@value #MAX_SLOTS_PER_BLOCK} and what shared memory holds.
     */
    int slotsPerBlock(int count, boolean sampling) {
        int s = slotsPerBlockOverride > 0 ? slotsPerBlockOverride
                : ceilDiv(count, (long) BLOCKS_PER_SM * l.device.multiprocessors());
        s = Math.max(1, Math.min(MAX_SLOTS_PER_BLOCK, s));
        while (s > 1 && sharedBytes(cfg, s, sampling) > MAX_SMEM) {
            s--;
        }
        return s;
    }

    /** Benchmarks only: a fixed slot group size (0: chosen by count). */
    void setSlotsPerBlock(int s) {
        slotsPerBlockOverride = s;
    }

    /**
     * Enqueues the generation of {@code steps} tokens for {@code count} slots.
     *
     * @param firstTokens device int[count], the input of the first step
     * @param slots       device int[count]
     * @param rng         device long[count] of RandomState states (sampling only; advanced in place)
     * @param outTokens   device int[count * steps], slot-major
     */
    void enqueue(int count, int steps, long firstTokens, long slots, long states, long stateFloats,
                 SamplingConfig sampling, long rng, long outTokens) {
        boolean sample = !sampling.greedy();
        int s = slotsPerBlock(count, sample);
        int smem = sharedBytes(cfg, s, sample);
        if (smem > 48 * 1024 && smem > smemAllowed) {
            l.allowSharedMemory("m1_generate", smem);
            smemAllowed = smem;
        }
        long layerState = (long) e * (k - 1 + n);
        l.launch("m1_generate", ceilDiv(count, s), 1, 1, THREADS, smem,
                args().ptr(table.address()).i(cfg.numLayers()).ptr(embedding).ptr(finalNorm).ptr(lmT).ptr(firstTokens)
                        .ptr(slots).i(count).i(steps).ptr(states).l(stateFloats).l(layerState).i(d).i(e).i(n).i(r)
                        .i(k).i(v).f(cfg.normEpsilon()).i(s).i(sample ? 1 : 0)
                        .d(sample ? 1.0 / sampling.temperature() : 1.0).i(sampling.topK()).f(sampling.topP())
                        .i(vp).ptr(sample ? rng : 0L).ptr(outTokens));
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
