package io.scanflow.kernels.cuda;

import io.scanflow.model.config.ModelConfig;

/**
 * How large an engine's device workspace and slot buffer are: token rows per prefill pass, logit rows, and
 * the slots that fit a share of the device's memory.
 */
final class PassSizing {
    /** Prefill workspace that small models get at least (see {@link #suggestedRowsPerPass}). */
    private static final long WORKSPACE_FLOOR_BYTES = 512L << 20;
    private static final int MAX_AUTO_ROWS = 1 << 18;
    /** Rows per prefill pass that larger models get (what fills the GEMMs; more only adds workspace). */
    static final int BASE_ROWS = 8192;
    /** Share of the device's free memory that automatic prefill workspace may take. */
    private static final int FREE_MEMORY_SHARE = 4;
    /** Bytes of logits a prefill computes at once, unless a step of every slot needs more. */
    private static final long LOGITS_BYTES = 512L << 20;

    private PassSizing() {}

    /**
     * {@value #BASE_ROWS} rows, raised for small models to what {@link #WORKSPACE_FLOOR_BYTES} of prefill
     * workspace holds. Each pass costs a fixed ~0.5 ms of launches and scan latency, so many short requests
     * (150-base DNA reads: 54 per 8192-row pass) need large passes.
     */
    static int suggestedRowsPerPass(ModelConfig cfg) {
        long perRow = workspaceBytesPerRow(cfg);
        if (perRow == 0) {
            return BASE_ROWS;
        }
        long floor = Math.min(MAX_AUTO_ROWS, WORKSPACE_FLOOR_BYTES / perRow);
        return (int) Math.max(BASE_ROWS, floor);
    }

    /** {@link #suggestedRowsPerPass}, at most what a quarter of {@code freeBytes} holds (at least 1024 rows). */
    static int autoRowsPerPass(ModelConfig cfg, long freeBytes) {
        long perRow = workspaceBytesPerRow(cfg);
        int suggested = suggestedRowsPerPass(cfg);
        if (perRow == 0) {
            return suggested;
        }
        return (int) Math.max(1024, Math.min(suggested, freeBytes / FREE_MEMORY_SHARE / perRow));
    }

    /** Prefill workspace bytes per token row (activations of one layer), 0 for a model kind the backend lacks. */
    private static long workspaceBytesPerRow(ModelConfig cfg) {
        MixerKind kind = MixerKind.find(cfg);
        if (kind == null) {
            return 0;
        }
        return 4 * (kind.workspaceFloatsPerRow(cfg) + 2L * cfg.hiddenSize() + 1);
    }

    /**
     * Logit rows of an engine: enough for a step of every slot (on-device sampling needs the whole batch at
     * once), else what {@link #LOGITS_BYTES} holds, at most the workspace's rows; prefill computes logits in
     * blocks of this many rows.
     */
    static int logitRows(int maxRows, int maxSlots, int vocab) {
        return (int) Math.max(Math.min(maxRows, Math.max(1, LOGITS_BYTES / (4L * vocab))), maxSlots);
    }

    /** Most slots of {@code stateFloats} that fit {@code share} of {@code freeBytes} (at least 1, at most 65535). */
    static int slotsThatFit(ModelConfig cfg, long stateFloats, long freeBytes, double share) {
        long perSlot = 4L * stateFloats + 4L * cfg.hiddenSize() + 64;
        return (int) Math.max(1, Math.min(65535, (long) (freeBytes * share) / perSlot));
    }
}
