package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.kernels.CudaTuning;
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
 *
 * <p>Kernels ({@link CudaTuning#generateKernel}, read at each call; default {@code auto}):
 * {@code smem} = {@code m1_generate_ws}, one 512-thread block per SM with the dense weights staged in shared
 * memory ahead of each phase; {@code l2} = {@code m1_generate}, two 256-thread blocks per SM reading the
 * weights from L2; {@code l2-512} = {@code m1_generate_512}, the latter's code in one 512-thread block per SM
 * (for comparisons). {@code auto} takes {@code smem} up to 8 slots per SM (16 for the builds with the shape compiled in; where
 * the staged weights and the slot group fit the device's shared memory), else {@code l2}. All give identical results.
 */
final class Mamba1Generator implements AutoCloseable {
    static final int MAX_HIDDEN = 1024, MAX_INNER = 4096, MAX_VOCAB = 1024;
    static final int MAX_SLOTS_PER_BLOCK = 32;
    /** 64 MB of transposed weight copies per engine at most; larger models loop over the step kernels. */
    static final long MAX_TRANSPOSED_FLOATS = 16L << 20;
    private static final int MAX_SMEM = 200 * 1024;
    /** Blocks per SM the launch bounds allow; slot groups are sized so that many blocks exist. */
    private static final int BLOCKS_PER_SM = 2;
    /** {@code auto} takes the staged kernel up to this many slots per block (one block per SM). */
    private static final int SMEM_MAX_SLOTS = 8, SMEM_MAX_SLOTS_SHAPED = 16;

    /** The kernel variants (all compute the same products in the same order). */
    enum Kernel {
        L2("m1_generate", 256, 2, false, true), L2_512("m1_generate_512", 512, 1, false, false),
        SMEM("m1_generate_ws", 512, 1, true, true);

        final String name;
        final int threads, blocksPerSm;
        final boolean staged, hasShaped;

        Kernel(String name, int threads, int blocksPerSm, boolean staged, boolean hasShaped) {
            this.name = name;
            this.threads = threads;
            this.blocksPerSm = blocksPerSm;
            this.staged = staged;
            this.hasShaped = hasShaped;
        }
    }

    /** The dimensions a generate kernel's loops, K splits and strides follow. */
    record Shape(int hidden, int inner, int state, int dtRank, int conv, int vocab) {
        static Shape of(MambaConfig cfg) {
            return new Shape(cfg.hiddenSize(), cfg.intermediateSize(), cfg.stateSize(), cfg.dtRank(), cfg.convKernel(),
                    cfg.vocabSize());
        }
    }

    /**
     * The shape the {@code _a} builds have compiled in ({@code SHAPE == 1} in mamba1_generate.cuh, which a test
     * reads back): the mu-law audio generators' ({@code models/mulaw-generator}). A model of this shape takes
     * those builds, whose loops and strides fold.
     */
    static final Shape COMPILED_SHAPE = new Shape(64, 128, 16, 4, 4, 256);

    /** Whether this call takes the builds with the model's shape compiled in ({@link CudaTuning#generateShaped}). */
    private boolean shaped() {
        return compiledShape && l.tuning().generateShaped();
    }

    private final MambaConfig cfg;
    private final Launcher l;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer table;
    private final long embedding, finalNorm, lmT;
    private final int d, e, n, r, k, v, vp;
    private final int smemOptIn;
    /** Whether the model has {@link #COMPILED_SHAPE}. */
    private final boolean compiledShape;
    private final java.util.Map<String, Integer> smemAllowed = new java.util.HashMap<>();
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

    /** Dynamic shared memory of a block of {@code s} slots of {@code m1_generate}; the layout is the kernel's. */
    static int sharedBytes(MambaConfig cfg, int s, boolean sampling) {
        return sharedBytes(cfg, s, sampling, Kernel.L2);
    }

    /** Dynamic shared memory of a block of {@code s} slots of {@code kernel}; the layout is the kernel's. */
    static int sharedBytes(MambaConfig cfg, int s, boolean sampling, Kernel kernel) {
        int d = cfg.hiddenSize(), e = cfg.intermediateSize(), r = cfg.dtRank(), v = cfg.vocabSize();
        int xw4 = round4(r + 2 * cfg.stateSize());
        int region = Math.max(4 * e + xw4, round4(v));
        long floats = (long) s * (2L * d + region) + ((s + 1) & ~1);
        if (kernel.staged) {
            floats += (long) d * Math.max(stagedStride(round4(2 * e), d), stagedStride(round4(v), d))
                    + (long) e * stagedStride(xw4, e) + (long) r * round4(e) + (long) e * stagedStride(round4(d), e);
        }
        long bytes = 4 * floats + 16L * s;
        if (sampling) {
            bytes += (long) (kernel.threads / 32) * pow2(v) * (4 + 8);
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /** The kernel's K split of a dense layer of {@code ldw} (padded) columns and {@code kd} inputs (sf_gen::ksplit). */
    static int kSplit(int ldw, int kd) {
        int groups = ldw >> 2;
        int ks = 1;
        while (ks < 32 && (groups * ks < 32 || (kd + ks - 1) / ks > 16) && ks * 2 <= kd) {
            ks <<= 1;
        }
        return ks;
    }

    /** Row stride of a staged dense weight in shared memory (sf_gen::wstride). */
    static int stagedStride(int ldw, int kd) {
        int ks = kSplit(ldw, kd);
        int want = ks >= 8 ? 1 : (8 / ks) & 7;
        int l4 = ldw >> 2;
        while ((l4 & 7) != want) {
            l4++;
        }
        return l4 << 2;
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
        compiledShape = Shape.of(cfg).equals(COMPILED_SHAPE);
        try {
            long[] ptrs = Mamba1LayerTable.build(cfg, w, this::transposed);
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
        smemOptIn = l.device.attribute(jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
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
     * Slots per block of {@code m1_generate} for {@code count} slots: enough blocks for {@value #BLOCKS_PER_SM}
     * per SM where the count allows, at most {@value #MAX_SLOTS_PER_BLOCK} and what shared memory holds.
     */
    int slotsPerBlock(int count, boolean sampling) {
        return slotsPerBlock(count, sampling, Kernel.L2);
    }

    /** Slots per block of {@code kernel}: {@code kernel.blocksPerSm} blocks per SM where the count allows. */
    int slotsPerBlock(int count, boolean sampling, Kernel kernel) {
        int s = slotsPerBlockOverride > 0 ? slotsPerBlockOverride
                : ceilDiv(count, (long) kernel.blocksPerSm * l.device.multiprocessors());
        s = Math.max(1, Math.min(MAX_SLOTS_PER_BLOCK, s));
        int limit = kernel == Kernel.L2 ? MAX_SMEM : smemOptIn;
        while (s > 1 && sharedBytes(cfg, s, sampling, kernel) > limit) {
            s--;
        }
        return s;
    }

    /**
     * The kernel for a call: {@link CudaTuning#generateKernel} unless {@code auto} (a variant that cannot hold one
     * slot per block falls back to {@code l2}), else {@code smem} where its slot group (as chosen by count)
     * and staged weights fit the device's shared memory, else {@code l2}.
     */
    Kernel kernelFor(int count, boolean sampling) {
        Kernel k;
        switch (l.tuning().generateKernel()) {
            case L2: k = Kernel.L2; break;
            case L2_512: k = Kernel.L2_512; break;
            case SMEM: k = Kernel.SMEM; break;
            default: k = null; break;
        }
        if (k == null) {
            // Staging wins up to 8 slots per SM (16 with the shape compiled in; docs/performance.md, table 4c);
            // past that two independent blocks per SM (whose barriers do not wait for each other) win.
            int s = slotsPerBlockOverride > 0 ? slotsPerBlockOverride
                    : Math.max(1, Math.min(MAX_SLOTS_PER_BLOCK, ceilDiv(count, (long) l.device.multiprocessors())));
            return s <= (shaped() ? SMEM_MAX_SLOTS_SHAPED : SMEM_MAX_SLOTS) && sharedBytes(cfg, s, sampling, Kernel.SMEM) <= smemOptIn ? Kernel.SMEM : Kernel.L2;
        }
        if (k != Kernel.L2 && sharedBytes(cfg, 1, sampling, k) > smemOptIn) {
            return Kernel.L2;
        }
        return k;
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
        Kernel kernel = kernelFor(count, sample);
        int s = slotsPerBlock(count, sample, kernel);
        int smem = sharedBytes(cfg, s, sample, kernel);
        String name = kernel.name + (kernel.hasShaped && shaped() ? "_a" : "");
        if (smem > 48 * 1024 && smem > smemAllowed.getOrDefault(name, 0)) {
            l.allowSharedMemory(name, smem);
            smemAllowed.put(name, smem);
        }
        long layerState = (long) e * (k - 1 + n);
        l.launch(name, ceilDiv(count, s), 1, 1, kernel.threads, smem,
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
