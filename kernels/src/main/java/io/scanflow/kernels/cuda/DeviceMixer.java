package io.scanflow.kernels.cuda;

/**
 * The architecture-specific part of a layer on the device: from the normed input {@code normed} [rows, D]
 * to {@code residual += mixer(normed)}, updating the conv window and SSM state of each row's slot.
 * The engine owns embedding, the per-layer RMSNorm, the final norm and the LM head.
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
    }

    /** Floats of state per slot. */
    abstract long stateFloats();

    /** Prefill rows of {@code pass.requests} requests packed in rows [0, rows). */
    abstract void prefill(int layer, long normed, long residual, int rows, Pass pass);

    /** One token for each of {@code count} slots (row b belongs to slot slots[b]). */
    abstract void step(int layer, long normed, long residual, int count, Pass pass);

    @Override
    public abstract void close();
}
