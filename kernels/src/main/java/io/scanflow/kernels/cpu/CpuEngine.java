package io.scanflow.kernels.cpu;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.GenerationLoop;
import io.scanflow.kernels.Output;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.state.StateCodec;
import io.scanflow.model.loader.ModelLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pure-Java backend: slots are host {@link RecurrentState}s, work runs on a {@link CpuPool} (its own,
 * or the class loader's shared one), one workspace per worker allocated up front so steady-state calls
 * allocate no model buffers. Models loaded with {@link #loadModel} run on {@link VectorKernels} (SIMD) where
 * the JVM has the Vector API; any other {@link SequenceModel} runs with the kernels it was built with.
 *
 * <p>Prefill requests are independent streams and run on the workers side by side; a batched step is
 * split into contiguous slices of the batch, a few per worker, claimed by whichever worker is free (so a
 * worker the operating system holds up delays the step by one slice), unless the model's weights outgrow
 * the cache: then the step runs layer by layer over the whole batch, each dense layer split by output
 * columns. A worker runs everything it claims in its own workspace. Outputs do not depend on the number
 * of workers or on who runs what: every row is computed by the same code in the same order.
 */
public final class CpuEngine implements Engine {
    /** Below this many rows per slice, threading costs more than it saves. */
    private static final int MIN_STEP_ROWS_PER_SLICE = 16;
    /**
     * Weights above this (bytes) do not stay in cache: a batched step then runs layer by layer over the
     * whole batch, so each weight is read once per step instead of once per worker's slice.
     */
    static final long LAYER_BY_LAYER_WEIGHT_BYTES = 16L << 20;

    private final SequenceModel model;
    /** Where this engine's loops and its model's kernels run; bound to the caller for each call. */
    private final CpuPool pool;
    /** Whether {@link #close()} stops {@link #pool} (the engine started it). */
    private final boolean ownsPool;
    private final int workers;
    private final Workspace[] workspaces;
    private final float[][] hidden;
    private final double[][] pooled;
    private final List<RecurrentState> slots = new ArrayList<>();
    private final List<Boolean> open = new ArrayList<>();
    private int[] freeSlots = new int[8];
    private int freeCount;
    private int openCount;
    private RecurrentState[] stepStates = new RecurrentState[0];
    private float[] stepHidden = new float[0];
    private final PrefillRound prefillRound = new PrefillRound();
    private final StepRound stepRound = new StepRound();
    private final GenerationLoop generation = new GenerationLoop();
    private final boolean layerByLayer;
    /** The layer-by-layer step's workspace, grown to the largest batch seen. */
    private Workspace batchWorkspace;

    /**
     * An engine on the class loader's {@link CpuPool#shared()} pool (for code outside Flink: the command
     * line, benchmarks, tests).
     *
     * @param threads     workers of a prefill or step loop (1 runs those on the caller's thread; the model's
     *                    dense layers still spread over the shared pool)
     * @param chunkLength prefill chunk: rows per model pass; a step slice runs in passes of as many rows
     */
    public CpuEngine(SequenceModel model, int threads, int chunkLength) {
        this(model, threads, chunkLength, LAYER_BY_LAYER_WEIGHT_BYTES, CpuPool.shared(), false);
    }

    /**
     * An engine with its own pool of {@code threads} threads (the caller and {@code threads - 1} workers),
     * which every loop of its calls runs on and which {@link #close()} stops: a Flink subtask's engine, so
     * that a job uses its share of the cores and leaves no thread behind.
     */
    public static CpuEngine withOwnPool(SequenceModel model, int threads, int chunkLength) {
        if (threads < 1 || chunkLength < 1) {
            throw new IllegalArgumentException("threads and chunk length must be positive");
        }
        return new CpuEngine(model, threads, chunkLength, LAYER_BY_LAYER_WEIGHT_BYTES, new CpuPool(threads), true);
    }

    /** @param layerByLayerBytes weight bytes above which batched steps run layer by layer (tests force either path) */
    CpuEngine(SequenceModel model, int threads, int chunkLength, long layerByLayerBytes) {
        this(model, threads, chunkLength, layerByLayerBytes, CpuPool.shared(), false);
    }

    private CpuEngine(SequenceModel model, int threads, int chunkLength, long layerByLayerBytes, CpuPool pool,
                      boolean ownsPool) {
        if (threads < 1 || chunkLength < 1) {
            throw new IllegalArgumentException("threads and chunk length must be positive");
        }
        this.model = model;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.workers = threads;
        this.layerByLayer = model.weightBytes() > layerByLayerBytes;
        this.workspaces = new Workspace[threads];
        this.hidden = new float[threads][];
        this.pooled = new double[threads][];
        for (int i = 0; i < threads; i++) {
            workspaces[i] = model.newWorkspace(chunkLength);
            hidden[i] = new float[chunkLength * model.hiddenSize()];
            pooled[i] = new double[model.hiddenSize()];
        }
    }

    /**
     * Loads a model folder for this backend: the layers run on the SIMD kernels, or on the scalar ones
     * where the JVM lacks the Vector API module ({@link CpuKernels#forThisJvm()}).
     */
    public static SequenceModel loadModel(Path directory) {
        return ModelLoader.load(directory, CpuKernels.forThisJvm());
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public SequenceModel model() {
        return model;
    }

    @Override
    public int openSlot() {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
            slots.get(slot).reset();
            open.set(slot, true);
        } else {
            slot = slots.size();
            slots.add(model.newState());
            open.add(true);
        }
        openCount++;
        return slot;
    }

    @Override
    public void closeSlot(int slot) {
        state(slot);
        open.set(slot, false);
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
        openCount--;
    }

    @Override
    public void resetSlot(int slot) {
        state(slot).reset();
    }

    @Override
    public void loadSlot(int slot, byte[] stateBytes) {
        StateCodec.decode(stateBytes, model, state(slot));
    }

    @Override
    public byte[] saveSlot(int slot) {
        return StateCodec.encode(model, state(slot));
    }

    @Override
    public long position(int slot) {
        return state(slot).position();
    }

    @Override
    public int openSlots() {
        return openCount;
    }

    @Override
    public void prefill(int[] slots, int[][] tokens, Output output, float[][] out) {
        if (slots.length != tokens.length) {
            throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " token arrays");
        }
        prefillAll(slots, tokens, null, output, out);
    }

    @Override
    public void prefillFeatures(int[] slots, float[][] features, Output output, float[][] out) {
        if (slots.length != features.length) {
            throw new IllegalArgumentException(slots.length + " slots but " + features.length + " feature arrays");
        }
        int width = model.inputFeatures();
        for (int i = 0; i < features.length; i++) {
            if (width == 0 || features[i].length % width != 0) {
                throw new IllegalArgumentException("request " + i + ": " + features[i].length
                        + " floats are not whole rows of the model's " + width + " input features");
            }
        }
        prefillAll(slots, null, features, output, out);
    }

    /** Exactly one of {@code tokens} and {@code features} is non-null. */
    private void prefillAll(int[] slots, int[][] tokens, float[][] features, Output output, float[][] out) {
        for (int slot : slots) {
            state(slot);
        }
        prefillRound.set(slots, tokens, features, output, out);
        CpuPool previous = pool.bind();
        try {
            CpuPool.forRange(slots.length, 1, prefillRound, workers);
        } finally {
            CpuPool.restore(previous);
            prefillRound.clear();
        }
    }

    /** The body of a prefill call's parallel loop, reused so that calls allocate no task objects. */
    private final class PrefillRound implements CpuPool.RangeBody {
        private int[] slots;
        private int[][] tokens;
        private float[][] features;
        private Output output;
        private float[][] out;

        void set(int[] slots, int[][] tokens, float[][] features, Output output, float[][] out) {
            this.slots = slots;
            this.tokens = tokens;
            this.features = features;
            this.output = output;
            this.out = out;
        }

        void clear() {
            set(null, null, null, null, null);
        }

        /** Requests [from, to): which requests share a worker never changes a result. */
        @Override
        public void run(int from, int to) {
            int worker = thisWorker();
            for (int i = from; i < to; i++) {
                prefillOne(worker, state(slots[i]), tokens == null ? null : tokens[i],
                        features == null ? null : features[i], output, out == null ? null : out[i]);
            }
        }
    }

    /**
     * The calling thread's worker index, below {@link #workers} in every loop this engine starts (they run
     * on at most that many threads). A loop that ran inline instead (nested in another) has its one thread
     * to itself, so any index is safe there; the clamp only keeps it in range.
     */
    private int thisWorker() {
        return Math.min(CpuPool.threadIndex(), workers - 1);
    }

    private void prefillOne(int worker, RecurrentState state, int[] tokens, float[] features, Output output, float[] out) {
        Workspace ws = workspaces[worker];
        float[] h = hidden[worker];
        int d = model.hiddenSize();
        int v = model.vocabSize();
        double[] sum = pooled[worker];
        Arrays.fill(sum, 0.0);
        int len = tokens != null ? tokens.length : features.length / model.inputFeatures();
        for (int done = 0; done < len; ) {
            int rows = Math.min(ws.maxRows(), len - done);
            float[] hiddenOut = output == Output.NONE ? null : h;
            if (tokens != null) {
                model.prefill(state, tokens, done, rows, hiddenOut, 0, ws);
            } else {
                model.prefillFeatures(state, features, done, rows, hiddenOut, 0, ws);
            }
            done += rows;
            switch (output) {
                case ALL_LOGITS:
                    model.logits(h, 0, rows, out, (done - rows) * v);
                    break;
                case LAST_LOGITS:
                    if (done == len) {
                        model.logits(h, (rows - 1) * d, 1, out, 0);
                    }
                    break;
                case LAST_HIDDEN:
                    if (done == len) {
                        System.arraycopy(h, (rows - 1) * d, out, 0, d);
                    }
                    break;
                case MEAN_HIDDEN:
                    for (int r = 0; r < rows; r++) {
                        for (int i = 0; i < d; i++) {
                            sum[i] += h[r * d + i];
                        }
                    }
                    if (done == len) {
                        for (int i = 0; i < d; i++) {
                            out[i] = (float) (sum[i] / len);
                        }
                    }
                    break;
                default:
                    break;
            }
        }
    }

    @Override
    public void step(int[] slots, int[] tokens, int count, Output output, float[] out) {
        stepAll(slots, tokens, null, count, output, out);
    }

    /** The step loop, with its buffers kept across calls (a generation round is often a call of one token). */
    @Override
    public void generate(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                         long[] rngStates, int[] outTokens) {
        generation.generate(this, slots, firstTokens, count, steps, sampling, rngStates, outTokens);
    }

    @Override
    public void stepFeatures(int[] slots, float[] features, int count, Output output, float[] out) {
        stepAll(slots, null, features, count, output, out);
    }

    /** Exactly one of {@code tokens} and {@code features} is non-null. */
    private void stepAll(int[] slots, int[] tokens, float[] features, int count, Output output, float[] out) {
        CpuPool previous = pool.bind();
        try {
            stepOnPool(slots, tokens, features, count, output, out);
        } finally {
            CpuPool.restore(previous);
        }
    }

    private void stepOnPool(int[] slots, int[] tokens, float[] features, int count, Output output, float[] out) {
        if (stepStates.length < count) {
            stepStates = new RecurrentState[count];
            stepHidden = new float[count * model.hiddenSize()];
        }
        for (int i = 0; i < count; i++) {
            stepStates[i] = state(slots[i]);
        }
        int d = model.hiddenSize();
        if (layerByLayer) {
            stepWholeBatch(tokens, features, count);
        } else if (workers == 1 || count < 2 * MIN_STEP_ROWS_PER_SLICE) {
            // The common small-batch case: on the caller's thread, nothing handed to the pool.
            stepSlice(tokens, features, 0, count, 0);
        } else {
            stepRound.set(tokens, features);
            try {
                CpuPool.forRange(count, MIN_STEP_ROWS_PER_SLICE, stepRound, workers);
            } finally {
                stepRound.clear();
            }
        }
        switch (output) {
            case ALL_LOGITS:
            case LAST_LOGITS:
                model.logits(stepHidden, 0, count, out, 0);
                break;
            case LAST_HIDDEN:
            case MEAN_HIDDEN:
                System.arraycopy(stepHidden, 0, out, 0, count * d);
                break;
            default:
                break;
        }
    }

    /**
     * All keys at once on the caller's thread: the model's dense layers split their columns across the
     * pool and its per-key parts spread over keys, so the weights are read once per step.
     */
    private void stepWholeBatch(int[] tokens, float[] features, int count) {
        if (batchWorkspace == null || batchWorkspace.maxRows() < count) {
            batchWorkspace = model.newBatchStepWorkspace(Math.max(count, 2 * (batchWorkspace == null ? 0 : batchWorkspace.maxRows())));
        }
        if (tokens != null) {
            model.step(stepStates, tokens, 0, count, stepHidden, 0, batchWorkspace);
        } else {
            model.stepFeatures(stepStates, features, 0, count, stepHidden, 0, batchWorkspace);
        }
    }

    private void stepSlice(int[] tokens, float[] features, int from, int to, int worker) {
        int d = model.hiddenSize();
        if (tokens != null) {
            model.step(stepStates, tokens, from, to - from, stepHidden, from * d, workspaces[worker]);
        } else {
            model.stepFeatures(stepStates, features, from, to - from, stepHidden, from * d, workspaces[worker]);
        }
    }

    /** Drops the slots, and stops the pool's workers if the engine owns its pool. */
    @Override
    public void close() {
        slots.clear();
        open.clear();
        freeCount = 0;
        openCount = 0;
        if (ownsPool) {
            pool.close();
        }
    }

    private RecurrentState state(int slot) {
        if (slot < 0 || slot >= slots.size() || !open.get(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is not open");
        }
        return slots.get(slot);
    }

    /** The body of a batched step's parallel loop: one contiguous slice of the batch's rows per call. */
    private final class StepRound implements CpuPool.RangeBody {
        private int[] tokens;
        private float[] features;

        void set(int[] tokens, float[] features) {
            this.tokens = tokens;
            this.features = features;
        }

        void clear() {
            set(null, null);
        }

        @Override
        public void run(int from, int to) {
            stepSlice(tokens, features, from, to, thisWorker());
        }
    }
}
