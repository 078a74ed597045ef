package io.scanflow.kernels.cuda;

/**
 * The architecture-specific part of a layer on the device: from the normed input {@code normed} [rows, D]
 * to {@code residual += mixer(normed)}, updating the conv window and SSM state of each row's slot.
 * {@link DeviceLayers} owns the embedding, the per-layer RMSNorm, the final norm and the LM head.
 */
abstract class DeviceMixer implements AutoCloseable {
    /** Buffers every pass needs: packed request descriptors (prefill) or the slot of each row (step). */
    static final class Pass {
        long states;        // all slots' state, [maxSlots, stateFloats]
        long stateFloats;
        long reqRow;        // prefill: int[requests]
        long reqLen;
        long reqSlot;
        int requests;
        int maxLen;
        long slots;         // step: int[count]

        /** A pass over the states of {@code slots}. */
        static Pass over(DeviceSlots slots) {
            Pass p = new Pass();
            p.states = slots.address();
            p.stateFloats = slots.stateFloats();
            return p;
        }
    }

    /** Tokens per thread of {@code conv_fwd} (SF_CONV_TOKENS in conv.cuh). */
    static final int CONV_TOKENS = 32;

    /** Per layer, a slot holds the conv window, then the SSM state (the reference layout). */
    private final long convWindowFloats;
    private final long layerStateFloats;
    private final int layers;

    DeviceMixer(long convWindowFloats, long ssmFloats, int layers) {
        this.convWindowFloats = convWindowFloats;
        this.layerStateFloats = convWindowFloats + ssmFloats;
        this.layers = layers;
    }

    /** Floats of state per slot. */
    final long stateFloats() {
        return layerStateFloats * layers;
    }

    /** Offset of layer {@code layer}'s conv window in a slot. */
    final long convOffset(int layer) {
        return layer * layerStateFloats;
    }

    /** Offset of layer {@code layer}'s SSM state, right after its conv window. */
    final long ssmOffset(int layer) {
        return layer * layerStateFloats + convWindowFloats;
    }

    /** Scratch buffers of the given float counts, all or none: a failed allocation frees the others. */
    static DeviceBuffer[] scratch(String[] names, long... counts) {
        DeviceBuffer[] made = new DeviceBuffer[counts.length];
        try {
            for (int i = 0; i < counts.length; i++) {
                made[i] = DeviceBuffer.floats(counts[i], names[i]);
            }
        } catch (RuntimeException ex) {
            for (DeviceBuffer b : made) {
                if (b != null) {
                    b.close();
                }
            }
            throw ex;
        }
        return made;
    }

    /** Prefill rows of {@code pass.requests} requests packed in rows [0, rows). */
    abstract void prefill(int layer, long normed, long residual, int rows, Pass pass);

    /** One token for each of {@code count} slots (row b belongs to slot slots[b]). */
    abstract void step(int layer, long normed, long residual, int count, Pass pass);

    @Override
    public abstract void close();
}
