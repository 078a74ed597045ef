package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.model.config.MambaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The batched step of a small Mamba-1 model as one kernel ({@code m1_small_step}): all layers, the final
 * norm, the LM head and the argmax in one launch, a block owning up to 16 slots. Used when the model's
 * weights are small enough to stay in L2 (audio-sized models), where the per-layer kernels would be bound
 * by launch latency. Keeps transposed copies of the dense weights (made on the device) and a table of
 * per-layer weight pointers.
 *
 * <p>Opt-in ({@code -Dscanflow.cuda.smallStep=true}): on an H100 it measured slower than the layer-by-layer
 * step replayed as a CUDA graph (audio-sized model, greedy: 114 us vs 49 us for 1 slot, 600 us vs 266 us
 * for 4096), because each block walks its dense layers with latency-bound loops over weights read from L2.
 * Parity tests cover it; see docs/cuda.md for what it would take to make it pay.
 */
final class Mamba1SmallStep implements AutoCloseable {
    static final int MAX_SLOTS_PER_BLOCK = 16;
    private static final long MAX_TRANSPOSED_FLOATS = 4L << 20;
    private static final int MAX_SMEM = 200 * 1024;

    private final MambaConfig cfg;
    private final Launcher l;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer table;
    private final long embedding, finalNorm, lmT;
    private final int perSlotFloats, maxPerBlock;

    static boolean eligible(MambaConfig cfg) {
        if (!Boolean.getBoolean("scanflow.cuda.smallStep")) {
            return false;
        }
        long d = cfg.hiddenSize(), e = cfg.intermediateSize(), r = cfg.dtRank(), n = cfg.stateSize();
        long xw = r + 2 * n;
        long transposed = cfg.numLayers() * (2 * e * d + e * xw + r * e + e * d) + d * cfg.vocabSize();
        return transposed <= MAX_TRANSPOSED_FLOATS && d <= 512 && perSlot(cfg) * 4L <= MAX_SMEM;
    }

    private static int perSlot(MambaConfig cfg) {
        int d = cfg.hiddenSize(), e = cfg.intermediateSize();
        return 2 * d + 4 * e + cfg.dtRank() + 2 * cfg.stateSize() + cfg.vocabSize();
    }

    Mamba1SmallStep(MambaConfig cfg, DeviceWeights w, long lmHead, Launcher launcher) {
        this.cfg = cfg;
        this.l = launcher;
        int d = cfg.hiddenSize();
        perSlotFloats = perSlot(cfg);
        maxPerBlock = Math.max(1, Math.min(MAX_SLOTS_PER_BLOCK, MAX_SMEM / (4 * perSlotFloats)));
        int smem = maxPerBlock * perSlotFloats * 4;
        if (smem > 48 * 1024) {
            l.allowSharedMemory("m1_small_step", smem);
        }
        try {
            long[] ptrs = Mamba1LayerTable.build(cfg, w, this::transposed);
            lmT = transposed(lmHead, cfg.vocabSize(), d);
            table = DeviceBuffer.allocate(8L * ptrs.length, "small-step weight table");
            owned.add(table);
            table.write(ptrs);
            l.sync("small-step weights");
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
        embedding = w.require("embedding");
        finalNorm = w.require("norm_f");
    }

    private long transposed(long src, int rows, int cols) {
        DeviceBuffer t = DeviceBuffer.floats((long) rows * cols, "transposed weight");
        owned.add(t);
        l.launch("transpose", ceilDiv((long) rows * cols, 256), 1, 1, 256, 0,
                args().ptr(src).i(rows).i(cols).ptr(t.address()));
        return t.address();
    }

    /** Slots per block for a step of {@code count}: enough blocks to spread over the SMs, at most 16. */
    int slotsPerBlock(int count) {
        int s = ceilDiv(count, l.device.multiprocessors());
        return Math.max(1, Math.min(maxPerBlock, s));
    }

    /**
     * @param outKind 0 state only, 1 final hidden, 2 logits, 3 argmax
     */
    void enqueue(int count, long tokens, long slots, long states, long stateFloats, int outKind, long hiddenOut,
                 long logitsOut, long tokenOut) {
        int s = slotsPerBlock(count);
        long layerState = (long) cfg.intermediateSize() * (cfg.convKernel() - 1 + cfg.stateSize());
        l.launch("m1_small_step", ceilDiv(count, s), 1, 1, 256, s * perSlotFloats * 4,
                args().ptr(table.address()).i(cfg.numLayers()).ptr(embedding).ptr(finalNorm).ptr(lmT).ptr(tokens)
                        .ptr(slots).i(count).ptr(states).l(stateFloats).l(layerState).i(cfg.hiddenSize())
                        .i(cfg.intermediateSize()).i(cfg.stateSize()).i(cfg.dtRank()).i(cfg.convKernel())
                        .i(cfg.vocabSize()).f(cfg.normEpsilon()).i(s).i(outKind).ptr(hiddenOut).ptr(logitsOut)
                        .ptr(tokenOut));
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
