package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;
import static io.scanflow.kernels.cuda.Launcher.args;
import static io.scanflow.kernels.cuda.Launcher.ceilDiv;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.GenerationLoop;
import io.scanflow.kernels.Output;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.state.StateCodec;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: the model's weights on the GPU (shared per device), every stream's state in one of
 * {@code maxSlots} device-resident slots allocated up front, and all work as kernels from the packaged
 * fatbin on one stream per engine.
 *
 * <p>Prefill packs the requests of a call into passes of at most {@code maxRowsPerPass} rows (each request
 * at most {@code chunkLength} tokens per pass, its state carried in its slot between passes): one
 * embedding gather, per layer one RMSNorm and the mixer's kernels, then the outputs. A batched step runs
 * the same layers with one row per slot, the kernels reading and writing the state by slot index; the
 * whole step (slot/token upload, all layers, final norm, LM head, on-device argmax) is captured once per
 * shape as a CUDA graph and replayed, so a step costs the host one graph launch.
 *
 * <p>{@link #saveSlot}/{@link #loadSlot} copy one slot to/from the model's versioned state bytes
 * ({@link StateCodec}), identical to the CPU backend's, so a checkpoint written on one backend restores on
 * the other. A CUDA failure raises {@link CudaException} naming the kernel, launch shape and error.
 *
 * <p>One thread at a time (a Flink task); engines on the same device share weights and kernels.
 */
public final class CudaEngine implements Engine {
    /** Step output kinds a graph is captured for. */
    private static final int NONE = 0, HIDDEN = 1, LOGITS = 2, ARGMAX = 3, SAMPLE = 4;
    private static final long LOGITS_BYTES = 512L << 20;
    private static final int GRAPH_CACHE = 32;
    /** Prefill workspace that small models get at least (see {@link #suggestedRowsPerPass}). */
    private static final long WORKSPACE_FLOOR_BYTES = 512L << 20;
    private static final int MAX_AUTO_ROWS = 1 << 18;
    /** Rows per prefill pass that larger models get (what fills the GEMMs; more only adds workspace). */
    private static final int BASE_ROWS = 8192;
    /** Share of the device's free memory that automatic prefill workspace may take. */
    private static final int FREE_MEMORY_SHARE = 4;
    private static final String[] KERNELS = {"sgemm_nt_128", "sgemm_nt_64", "tf32x3_nt_128", "tf32x3_nt_64", "tf32x3_nt_64x80",
        "splitk_reduce", "m1_small_step", "transpose", "gemv_nt", "embed_rows", "rmsnorm_rows",
        "gated_rmsnorm", "mean_accumulate", "gather_rows", "conv_fwd", "conv_window_update", "conv_step", "m1_scan_fwd_n4", "m1_scan_fwd_n8",
        "m1_scan_fwd_n16", "m1_scan_fwd_n32", "m1_scan_fwd_n64", "m1_scan_fwd_n128", "m1_scan_sum_n4", "m1_scan_sum_n8",
        "m1_scan_sum_n16", "m1_scan_sum_n32", "m1_scan_sum_n64", "m1_scan_sum_n128",
        "m1_scan_step", "m1_delta", "m2_ssd_fwd", "m2_scan_step", "argmax_rows", "sample_rows", "m1_generate", "transpose_pad"};
    /** {@code -Dscanflow.cuda.deviceGenerate=false} makes {@link #generate} loop over the step kernels. */
    private static final String DEVICE_GENERATE = "scanflow.cuda.deviceGenerate";

    private final SequenceModel model;
    private final ModelConfig cfg;
    private final EngineOptions options;
    private final CudaDevice device;
    private final DeviceWeights weights;
    private final CUstream stream = new CUstream();
    private final Launcher l;
    private final DeviceMixer mixer;
    private final Mamba1SmallStep small;
    private final Mamba1Generator generator;
    private final int d, v, layers, maxSlots, maxRows, logitRows;
    private final float eps;
    private final long stateFloats;
    private final long embedding, lmHead, finalNorm;
    private final long[] layerNorm;

    private final DeviceBuffer states, residual, normed, tokens, requests, rowIndex, lastHidden, logits, meanAcc,
            stepIo, sampled, uniforms, rngStates;
    private DeviceBuffer generated;
    private final Pointer pinnedIn = new Pointer();
    private final Pointer pinnedOut = new Pointer();
    private final Pointer pinnedUniforms = new Pointer();
    private final IntBuffer stepIn, stepOut;
    private final DoubleBuffer stepUniforms;
    private final DeviceMixer.Pass pass = new DeviceMixer.Pass();

    private final boolean[] open;
    /** Slots reset since the last device work: zeroed together, in runs of adjacent slots, before the next. */
    private final boolean[] zeroPending;
    private final int[] zeroList;
    private int zeroCount;
    private final long[] positions;
    private final int[] free;
    private int freeCount;
    private int openCount;
    private final int[] hostTokens;
    private final int[] hostRequests;
    private final Map<Long, CUgraphExec> graphs = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    private CudaEngine(SequenceModel model, Path modelDir, EngineOptions options) {
        if (options.maxSlots() > 65535) {
            throw new IllegalArgumentException("the CUDA backend supports at most 65535 slots per engine");
        }
        this.model = model;
        this.cfg = model.config();
        this.options = options;
        this.d = cfg.hiddenSize();
        this.v = cfg.vocabSize();
        this.layers = cfg.numLayers();
        this.maxSlots = options.maxSlots();
        this.device = CudaDevice.get(options.device());
        int rowsPerPass = options.maxRowsPerPass() != EngineOptions.AUTO_ROWS ? options.maxRowsPerPass()
                : autoRowsPerPass(cfg, device.memoryInfo()[0]);
        this.maxRows = Math.max(rowsPerPass, maxSlots);
        // Enough logit rows for a step of every slot (on-device sampling needs the whole batch at once), else
        // a few hundred MB; prefill computes logits in blocks of this many rows.
        this.logitRows = (int) Math.max(Math.min(maxRows, Math.max(1, LOGITS_BYTES / (4L * v))), maxSlots);
        this.eps = normEpsilon(cfg);
        this.weights = DeviceWeights.acquire(device, model, modelDir);
        DeviceMixer mx = null;
        Mamba1Generator gen = null;
        Launcher launcher = null;
        java.util.List<DeviceBuffer> made = new java.util.ArrayList<>();
        boolean ok = false;
        try {
            check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
            launcher = new Launcher(device, stream);
            this.l = launcher;
            // Look every kernel up now: no module calls while a step is being captured into a graph.
            for (String k : KERNELS) {
                device.function(k);
            }
            mx = cfg instanceof MambaConfig ? new Mamba1Mixer((MambaConfig) cfg, weights, l, maxRows)
                    : new Mamba2Mixer((Mamba2Config) cfg, weights, l, maxRows);
            this.mixer = mx;
            this.stateFloats = mx.stateFloats();
            if (stateFloats != model.newState().data().length) {
                throw new IllegalStateException("device state layout has " + stateFloats + " floats, the model "
                        + model.newState().data().length);
            }
            this.embedding = weights.require("embedding");
            this.finalNorm = weights.require("norm_f");
            long head = weights.ptr("lm_head");
            this.lmHead = head != 0 ? head : embedding;
            this.layerNorm = new long[layers];
            for (int i = 0; i < layers; i++) {
                layerNorm[i] = weights.require(i + ".norm");
            }
            this.small = cfg instanceof MambaConfig && Mamba1SmallStep.eligible((MambaConfig) cfg)
                    ? new Mamba1SmallStep((MambaConfig) cfg, weights, lmHead, l) : null;
            gen = cfg instanceof MambaConfig && Mamba1Generator.supports((MambaConfig) cfg)
                    && !"false".equalsIgnoreCase(System.getProperty(DEVICE_GENERATE))
                    ? new Mamba1Generator((MambaConfig) cfg, weights, lmHead, l) : null;
            this.generator = gen;
            states = track(made, DeviceBuffer.floats((long) maxSlots * stateFloats, "state slots"));
            residual = track(made, DeviceBuffer.floats((long) maxRows * d, "residual"));
            normed = track(made, DeviceBuffer.floats((long) maxRows * d, "normed"));
            tokens = track(made, DeviceBuffer.ints(maxRows, "tokens"));
            requests = track(made, DeviceBuffer.ints(4L * maxSlots, "request descriptors"));
            rowIndex = track(made, DeviceBuffer.ints(maxSlots, "row index"));
            lastHidden = track(made, DeviceBuffer.floats((long) maxSlots * d, "last hidden"));
            logits = track(made, DeviceBuffer.floats((long) logitRows * v, "logits"));
            meanAcc = track(made, DeviceBuffer.allocate(8L * maxSlots * d, "mean accumulators"));
            stepIo = track(made, DeviceBuffer.ints(2L * maxSlots, "step tokens and slots"));
            sampled = track(made, DeviceBuffer.ints(maxSlots, "sampled tokens"));
            uniforms = track(made, DeviceBuffer.allocate(8L * maxSlots, "sampling uniforms"));
            rngStates = track(made, DeviceBuffer.allocate(8L * maxSlots, "random states"));
            check(JCudaDriver.cuMemAllocHost(pinnedIn, 8L * maxSlots), "cuMemAllocHost(step input)");
            check(JCudaDriver.cuMemAllocHost(pinnedOut, 4L * maxSlots), "cuMemAllocHost(step output)");
            check(JCudaDriver.cuMemAllocHost(pinnedUniforms, 8L * maxSlots), "cuMemAllocHost(uniforms)");
            stepIn = pinnedIn.getByteBuffer(0, 8L * maxSlots).order(ByteOrder.nativeOrder()).asIntBuffer();
            stepOut = pinnedOut.getByteBuffer(0, 4L * maxSlots).order(ByteOrder.nativeOrder()).asIntBuffer();
            stepUniforms = pinnedUniforms.getByteBuffer(0, 8L * maxSlots).order(ByteOrder.nativeOrder()).asDoubleBuffer();
            ok = true;
        } finally {
            if (!ok) {
                made.forEach(DeviceBuffer::close);
                if (mx != null) {
                    mx.close();
                }
                if (gen != null) {
                    gen.close();
                }
                if (launcher != null) {
                    launcher.close();
                }
                JCudaDriver.cuStreamDestroy(stream);
                weights.release();
            }
        }
        pass.states = states.address();
        pass.stateFloats = stateFloats;
        open = new boolean[maxSlots];
        zeroPending = new boolean[maxSlots];
        zeroList = new int[maxSlots];
        positions = new long[maxSlots];
        free = new int[maxSlots];
        for (int i = 0; i < maxSlots; i++) {
            free[i] = maxSlots - 1 - i;
        }
        freeCount = maxSlots;
        hostTokens = new int[maxRows];
        hostRequests = new int[4 * maxSlots];
    }

    /**
     * A {@code maxRowsPerPass} for {@code cfg}: {@value #BASE_ROWS} rows, raised for small models to what
     * {@link #WORKSPACE_FLOOR_BYTES} of prefill workspace holds. Each pass costs a fixed ~0.5 ms of launches
     * and scan latency, so many short requests (150-base DNA reads: 54 per 8192-row pass) need large
     * passes; an engine built with {@link EngineOptions#AUTO_ROWS} (the default) takes this, within a quarter
     * of the device's free memory.
     */
    public static int suggestedRowsPerPass(ModelConfig cfg) {
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

    /** Prefill workspace bytes per token row (activations of one layer), 0 for an unknown model kind. */
    private static long workspaceBytesPerRow(ModelConfig cfg) {
        long perRow;
        if (cfg instanceof MambaConfig) {
            MambaConfig m = (MambaConfig) cfg;
            perRow = 5L * m.intermediateSize() + m.dtRank() + 2L * m.stateSize();
        } else if (cfg instanceof Mamba2Config) {
            Mamba2Config m = (Mamba2Config) cfg;
            perRow = (long) m.inProjSize() + m.convDim() + m.intermediateSize();
        } else {
            return 0;
        }
        return 4 * (perRow + 2L * cfg.hiddenSize() + 1);
    }

    /**
     * Most slots that fit {@code share} of the free device memory for {@code cfg}'s state (at least 1, at
     * most 65535), so callers can size {@code maxSlots} from the keys they expect.
     */
    public static int slotsThatFit(ModelConfig cfg, long stateFloats, int device, double share) {
        long free = CudaDevice.get(device).memoryInfo()[0];
        long perSlot = 4L * stateFloats + 4L * cfg.hiddenSize() + 64;
        return (int) Math.max(1, Math.min(65535, (long) (free * share) / perSlot));
    }

    private static DeviceBuffer track(java.util.List<DeviceBuffer> made, DeviceBuffer b) {
        made.add(b);
        return b;
    }

    private static float normEpsilon(ModelConfig cfg) {
        return cfg instanceof MambaConfig ? ((MambaConfig) cfg).normEpsilon() : ((Mamba2Config) cfg).normEpsilon();
    }

    /** An engine for {@code model}, whose weights are read from {@code modelDir} unless already on the device. */
    public static CudaEngine create(SequenceModel model, Path modelDir, EngineOptions options) {
        return new CudaEngine(model, modelDir, options);
    }

    /** The device the engine runs on. */
    public CudaDevice device() {
        return device;
    }

    /** The options the engine was built with. */
    public EngineOptions options() {
        return options;
    }

    /** Token rows of one prefill pass (the workspace's rows): the option, or the engine's choice for auto. */
    public int rowsPerPass() {
        return maxRows;
    }

    @Override
    public String backend() {
        return "cuda";
    }

    @Override
    public SequenceModel model() {
        return model;
    }

    // ---- slots ---------------------------------------------------------------------------------------

    @Override
    public int openSlot() {
        if (freeCount == 0) {
            throw new IllegalStateException("all " + maxSlots + " CUDA state slots are open (raise maxSlots)");
        }
        int slot = free[--freeCount];
        open[slot] = true;
        openCount++;
        resetSlot(slot);
        return slot;
    }

    @Override
    public void closeSlot(int slot) {
        checkSlot(slot);
        open[slot] = false;
        free[freeCount++] = slot;
        openCount--;
    }

    /**
     * Marks the slot fresh; its state is zeroed before the next device work, together with every other slot
     * reset meanwhile (one memset per run of adjacent slots instead of one per slot: a job that opens a slot
     * per DNA read resets thousands per bundle).
     */
    @Override
    public void resetSlot(int slot) {
        checkSlot(slot);
        positions[slot] = 0;
        if (!zeroPending[slot]) {
            if (zeroCount == zeroList.length) {
                flushResets();
            }
            zeroPending[slot] = true;
            zeroList[zeroCount++] = slot;
        }
    }

    /** Zeroes the state of the slots reset since the last call. */
    private void flushResets() {
        if (zeroCount == 0) {
            return;
        }
        int n = 0;
        for (int i = 0; i < zeroCount; i++) {
            int slot = zeroList[i];
            if (zeroPending[slot]) { // a later loadSlot cancels the reset; a slot may be listed twice
                zeroPending[slot] = false;
                zeroList[n++] = slot;
            }
        }
        zeroCount = 0;
        java.util.Arrays.sort(zeroList, 0, n);
        device.makeCurrent();
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && zeroList[j] == zeroList[j - 1] + 1) {
                j++;
            }
            states.fill((long) zeroList[i] * stateFloats, (long) (j - i) * stateFloats, 0);
            i = j;
        }
    }

    // The device keeps every state in the portable [E, N] order, so slots move as raw floats.
    @Override
    public void loadSlot(int slot, byte[] stateBytes) {
        checkSlot(slot);
        RecurrentState s = model.newState();
        StateCodec.decode(stateBytes, model.fingerprint(), s);
        zeroPending[slot] = false;
        device.makeCurrent();
        states.write(s.data(), 0, s.data().length, (long) slot * stateFloats);
        positions[slot] = s.position();
    }

    @Override
    public byte[] saveSlot(int slot) {
        checkSlot(slot);
        RecurrentState s = model.newState();
        flushResets();
        device.makeCurrent();
        l.sync("saveSlot");
        states.read((long) slot * stateFloats, s.data(), 0, s.data().length);
        s.setPosition(positions[slot]);
        return StateCodec.encode(s, model.fingerprint());
    }

    @Override
    public long position(int slot) {
        checkSlot(slot);
        return positions[slot];
    }

    @Override
    public int openSlots() {
        return openCount;
    }

    @Override
    public int slotCapacity() {
        return maxSlots;
    }

    private void checkSlot(int slot) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        if (slot < 0 || slot >= maxSlots || !open[slot]) {
            throw new IllegalArgumentException("slot " + slot + " is not open");
        }
    }

    private void checkTokens(int[] t, int from, int count, String what) {
        for (int i = from; i < from + count; i++) {
            if (t[i] < 0 || t[i] >= v) {
                throw new IllegalArgumentException("token " + t[i] + " at position " + i + " of " + what
                        + " is outside the vocabulary [0, " + v + ")");
            }
        }
    }

    // ---- prefill -------------------------------------------------------------------------------------

    @Override
    public void prefill(int[] slots, int[][] tok, Output output, float[][] out) {
        if (slots.length != tok.length) {
            throw new IllegalArgumentException(slots.length + " slots but " + tok.length + " token arrays");
        }
        int n = slots.length;
        boolean[] seen = new boolean[maxSlots];
        for (int i = 0; i < n; i++) {
            checkSlot(slots[i]);
            if (seen[slots[i]]) {
                throw new IllegalArgumentException("slot " + slots[i] + " appears twice in one prefill call");
            }
            seen[slots[i]] = true;
            checkTokens(tok[i], 0, tok[i].length, "request " + i);
        }
        flushResets();
        device.makeCurrent();
        int chunk = Math.min(options.chunkLength(), maxRows);
        int[] done = new int[n];
        if (output == Output.MEAN_HIDDEN) {
            meanAcc.fill(0, 2L * n * d, 0);
        }
        int[] passReq = new int[Math.min(n, maxSlots)];
        int[] passStart = new int[passReq.length];
        int[] passLen = new int[passReq.length];
        int next = 0;
        while (true) {
            // Pack a pass: requests with tokens left, in order, each at most one chunk, until the rows run out.
            int rows = 0, count = 0, maxLen = 0;
            for (int k = 0; k < n && rows < maxRows; k++) {
                int i = (next + k) % n;
                int left = tok[i].length - done[i];
                if (left <= 0) {
                    continue;
                }
                int take = Math.min(Math.min(left, chunk), maxRows - rows);
                passReq[count] = i;
                passStart[count] = rows;
                passLen[count] = take;
                System.arraycopy(tok[i], done[i], hostTokens, rows, take);
                rows += take;
                maxLen = Math.max(maxLen, take);
                count++;
            }
            if (count == 0) {
                break;
            }
            next = (passReq[count - 1] + 1) % n;
            for (int q = 0; q < count; q++) {
                hostRequests[q] = passStart[q];
                hostRequests[count + q] = passLen[q];
                hostRequests[2 * count + q] = slots[passReq[q]];
                hostRequests[3 * count + q] = passReq[q];
            }
            tokens.write(hostTokens, 0, rows, 0);
            requests.write(hostRequests, 0, 4 * count, 0);
            pass.reqRow = requests.at4(0);
            pass.reqLen = requests.at4(count);
            pass.reqSlot = requests.at4(2L * count);
            pass.requests = count;
            pass.maxLen = maxLen;
            l.embed(tokens.address(), embedding, residual.address(), rows, d);
            for (int layer = 0; layer < layers; layer++) {
                l.rmsnorm(residual.address(), 0L, layerNorm[layer], eps, normed.address(), rows, d);
                mixer.prefill(layer, normed.address(), residual.address(), rows, pass);
            }
            passOutputs(output, out, tok, done, count, rows, passReq, passStart, passLen);
            for (int q = 0; q < count; q++) {
                done[passReq[q]] += passLen[q];
                positions[slots[passReq[q]]] += passLen[q];
            }
        }
        if (output == Output.MEAN_HIDDEN && n > 0) {
            l.sync("prefill");
            double[] acc = new double[n * d];
            meanAcc.read(0, acc, 0, n * d);
            for (int i = 0; i < n; i++) {
                int len = tok[i].length;
                if (len > 0) {
                    for (int j = 0; j < d; j++) {
                        out[i][j] = (float) (acc[i * d + j] / len);
                    }
                }
            }
        }
        l.sync("prefill");
    }

    private void passOutputs(Output output, float[][] out, int[][] tok, int[] done, int count, int rows,
                             int[] passReq, int[] passStart, int[] passLen) {
        switch (output) {
            case ALL_LOGITS: {
                l.rmsnorm(residual.address(), 0L, finalNorm, eps, normed.address(), rows, d);
                for (int b0 = 0; b0 < rows; b0 += logitRows) {
                    int br = Math.min(logitRows, rows - b0);
                    l.gemm(normed.at4((long) b0 * d), d, lmHead, d, 0L, logits.address(), v, br, v, d, false);
                    l.sync("prefill logits");
                    for (int q = 0; q < count; q++) {
                        int from = Math.max(b0, passStart[q]);
                        int to = Math.min(b0 + br, passStart[q] + passLen[q]);
                        if (from < to) {
                            int i = passReq[q];
                            int pos = done[i] + (from - passStart[q]);
                            logits.read((long) (from - b0) * v, out[i], pos * v, (to - from) * v);
                        }
                    }
                }
                break;
            }
            case LAST_LOGITS:
            case LAST_HIDDEN: {
                int k = 0;
                int[] finishing = new int[count];
                for (int q = 0; q < count; q++) {
                    int i = passReq[q];
                    if (done[i] + passLen[q] == tok[i].length) {
                        finishing[k] = i;
                        hostRequests[k] = passStart[q] + passLen[q] - 1;
                        k++;
                    }
                }
                if (k == 0) {
                    break;
                }
                rowIndex.write(hostRequests, 0, k, 0);
                l.rmsnorm(residual.address(), rowIndex.address(), finalNorm, eps, lastHidden.address(), k, d);
                if (output == Output.LAST_HIDDEN) {
                    l.sync("prefill");
                    for (int j = 0; j < k; j++) {
                        lastHidden.read((long) j * d, out[finishing[j]], 0, d);
                    }
                } else {
                    for (int b0 = 0; b0 < k; b0 += logitRows) {
                        int br = Math.min(logitRows, k - b0);
                        l.gemm(lastHidden.at4((long) b0 * d), d, lmHead, d, 0L, logits.address(), v, br, v, d, false);
                        l.sync("prefill logits");
                        for (int j = 0; j < br; j++) {
                            logits.read((long) j * v, out[finishing[b0 + j]], 0, v);
                        }
                    }
                }
                break;
            }
            case MEAN_HIDDEN:
                l.rmsnorm(residual.address(), 0L, finalNorm, eps, normed.address(), rows, d);
                l.launch("mean_accumulate", ceilDiv(d, 128), count, 1, 128, 0,
                        args().ptr(normed.address()).i(d).ptr(pass.reqRow).ptr(pass.reqLen).ptr(requests.at4(3L * count))
                                .ptr(meanAcc.address()));
                break;
            default:
                break;
        }
    }

    // ---- batched step --------------------------------------------------------------------------------

    @Override
    public void step(int[] slots, int[] tok, int count, Output output, float[] out) {
        int kind;
        switch (output) {
            case NONE:
                kind = NONE;
                break;
            case ALL_LOGITS:
            case LAST_LOGITS:
                kind = count <= logitRows ? LOGITS : HIDDEN;
                break;
            default:
                kind = HIDDEN;
                break;
        }
        runStep(slots, tok, count, kind, null, null);
        if (count == 0) {
            return;
        }
        switch (output) {
            case ALL_LOGITS:
            case LAST_LOGITS:
                if (kind == LOGITS) {
                    logits.read(0, out, 0, count * v);
                } else {
                    for (int b0 = 0; b0 < count; b0 += logitRows) {
                        int br = Math.min(logitRows, count - b0);
                        l.gemm(normed.at4((long) b0 * d), d, lmHead, d, 0L, logits.address(), v, br, v, d, false);
                        l.sync("step logits");
                        logits.read(0, out, b0 * v, br * v);
                    }
                }
                break;
            case LAST_HIDDEN:
            case MEAN_HIDDEN:
                normed.read(0, out, 0, count * d);
                break;
            default:
                break;
        }
    }

    /**
     * A batched step that picks each slot's next token on the device (greedy argmax, lowest index on
     * ties, as {@code Sampler.argmax}); only the token ids come back to the host.
     */
    public void stepGreedy(int[] slots, int[] tok, int count, int[] next) {
        if (count > logitRows) {
            throw new IllegalArgumentException("at most " + logitRows + " slots per on-device sampling step");
        }
        runStep(slots, tok, count, ARGMAX, null, next);
    }

    /**
     * A batched step that samples each slot's next token on the device exactly as {@code Sampler.sample}
     * (temperature, top-k, top-p), with {@code uniforms[i]} the slot's draw from its RandomState. Top-k must
     * be between 1 and 64 on the device (greedy configs run the argmax).
     */
    public void stepSample(int[] slots, int[] tok, int count, SamplingConfig sampling, double[] uniformDraws, int[] next) {
        if (sampling.greedy()) {
            stepGreedy(slots, tok, count, next);
            return;
        }
        if (sampling.topK() < 1 || sampling.topK() > 64) {
            throw new IllegalArgumentException("on-device sampling needs 1 <= top-k <= 64, found " + sampling.topK());
        }
        if (count > logitRows) {
            throw new IllegalArgumentException("at most " + logitRows + " slots per on-device sampling step");
        }
        if (uniformDraws.length < count) {
            throw new IllegalArgumentException("stepSample needs one uniform draw per slot");
        }
        pendingUniforms = uniformDraws;
        runStep(slots, tok, count, SAMPLE, sampling, next);
    }

    private double[] pendingUniforms;

    private void runStep(int[] slots, int[] tok, int count, int kind, SamplingConfig sampling, int[] next) {
        if (count < 0 || count > maxSlots) {
            throw new IllegalArgumentException("step of " + count + " slots; this engine has " + maxSlots);
        }
        if (count == 0) {
            return;
        }
        boolean[] seen = new boolean[maxSlots];
        for (int i = 0; i < count; i++) {
            checkSlot(slots[i]);
            if (seen[slots[i]]) {
                throw new IllegalArgumentException("slot " + slots[i] + " appears twice in one step");
            }
            seen[slots[i]] = true;
        }
        checkTokens(tok, 0, count, "the step");
        flushResets();
        device.makeCurrent();
        stepIn.clear();
        stepIn.put(tok, 0, count);
        stepIn.put(slots, 0, count);
        if (kind == SAMPLE) {
            double[] u = pendingUniforms;
            stepUniforms.clear();
            stepUniforms.put(u, 0, count);
            pendingUniforms = null;
        }
        if (options.cudaGraphs() && kind != SAMPLE) {
            long key = ((long) count << 3) | kind;
            CUgraphExec exec = graphs.get(key);
            if (exec == null) {
                exec = capture(count, kind, sampling);
                graphs.put(key, exec);
                if (graphs.size() > GRAPH_CACHE) {
                    Map.Entry<Long, CUgraphExec> eldest = graphs.entrySet().iterator().next();
                    check(JCudaDriver.cuGraphExecDestroy(eldest.getValue()), "cuGraphExecDestroy");
                    graphs.remove(eldest.getKey());
                }
            }
            int r = JCudaDriver.cuGraphLaunch(exec, stream);
            if (r != 0) {
                throw new CudaException("cuGraphLaunch(step of " + count + " slots): " + Cuda.describe(r), r);
            }
        } else {
            enqueueStep(count, kind, sampling);
        }
        l.sync("step of " + count + " slots");
        if (next != null) {
            stepOut.clear();
            stepOut.get(next, 0, count);
        }
        for (int i = 0; i < count; i++) {
            positions[slots[i]]++;
        }
    }

    private CUgraphExec capture(int count, int kind, SamplingConfig sampling) {
        CUgraph graph = new CUgraph();
        check(JCudaDriver.cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
        l.setCapturing(true);
        RuntimeException failure = null;
        try {
            enqueueStep(count, kind, sampling);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            l.setCapturing(false);
            int r = JCudaDriver.cuStreamEndCapture(stream, graph);
            if (failure == null && r != 0) {
                failure = new CudaException("cuStreamEndCapture(step of " + count + " slots): " + Cuda.describe(r), r);
            }
        }
        if (failure != null) {
            throw failure;
        }
        CUgraphExec exec = new CUgraphExec();
        check(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate(step of " + count + " slots)");
        check(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
        return exec;
    }

    /** Everything a step does on the device, asynchronously on the engine's stream (capturable). */
    private void enqueueStep(int count, int kind, SamplingConfig sampling) {
        check(JCudaDriver.cuMemcpyHtoDAsync(stepIo.at(0), pinnedIn, 8L * count, stream), "cuMemcpyHtoDAsync(step input)");
        long tokensDev = stepIo.address();
        pass.slots = stepIo.at4(count);
        if (small != null) {
            // The whole step in one kernel; sampling (if any) reads the logits it leaves.
            int outKind = kind == NONE ? 0 : kind == HIDDEN ? 1 : kind == ARGMAX ? 3 : 2;
            small.enqueue(count, tokensDev, pass.slots, states.address(), stateFloats, outKind, normed.address(),
                    logits.address(), sampled.address());
        } else {
            enqueueLayers(count, kind, tokensDev);
        }
        if (kind == SAMPLE) {
            check(JCudaDriver.cuMemcpyHtoDAsync(uniforms.at(0), pinnedUniforms, 8L * count, stream),
                    "cuMemcpyHtoDAsync(uniforms)");
            l.launch("sample_rows", count, 1, 1, 256, 0,
                    args().ptr(logits.address()).l(v).i(v).d(1.0 / sampling.temperature()).i(sampling.topK())
                            .f(sampling.topP()).ptr(uniforms.address()).ptr(sampled.address()));
        }
        if (kind == ARGMAX || kind == SAMPLE) {
            check(JCudaDriver.cuMemcpyDtoHAsync(pinnedOut, sampled.at(0), 4L * count, stream),
                    "cuMemcpyDtoHAsync(sampled tokens)");
        }
    }

    /** The step layer by layer (models too large for {@link Mamba1SmallStep}). */
    private void enqueueLayers(int count, int kind, long tokensDev) {
        l.embed(tokensDev, embedding, residual.address(), count, d);
        for (int layer = 0; layer < layers; layer++) {
            l.rmsnorm(residual.address(), 0L, layerNorm[layer], eps, normed.address(), count, d);
            mixer.step(layer, normed.address(), residual.address(), count, pass);
        }
        if (kind == NONE) {
            return;
        }
        l.rmsnorm(residual.address(), 0L, finalNorm, eps, normed.address(), count, d);
        if (kind == HIDDEN) {
            return;
        }
        l.gemm(normed.address(), d, lmHead, d, 0L, logits.address(), v, count, v, d, false);
        if (kind == ARGMAX) {
            l.launch("argmax_rows", count, 1, 1, 256, 0,
                    args().ptr(logits.address()).l(v).i(v).ptr(sampled.address()));
        }
    }

    // ---- generation ----------------------------------------------------------------------------------

    /**
     * Generates {@code steps} tokens for each of {@code count} slots: {@code firstTokens[i]} is fed to
     * {@code slots[i]}, the token chosen from the resulting logits is fed next, and so on; each slot's
     * position advances by {@code steps}. Tokens are chosen as {@code Sampler} does with {@code sampling}
     * (greedy: argmax, lowest index on ties) and, when not greedy, one {@code RandomState.nextDouble} per
     * token from the slot's state {@code rngStates[i]}, which is replaced by the advanced state.
     *
     * <p>Mamba-1 models within {@link Mamba1Generator}'s limits run it as one kernel launch per call with
     * no host work between tokens ({@link #deviceGenerate()}); other models loop over {@link #stepGreedy} /
     * {@link #stepSample} (or, where those cannot express the sampling, a logits step and the host
     * {@code Sampler}), with the same results as the caller's own loop.
     *
     * @param outTokens receives slot i's token of step t at {@code [i * steps + t]}
     */
    @Override
    public void generate(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling, long[] rngStates,
                         int[] outTokens) {
        GenerationLoop.checkArguments(slots, firstTokens, count, steps, sampling, rngStates, outTokens);
        if (count > maxSlots) {
            throw new IllegalArgumentException("generate for " + count + " slots; this engine has " + maxSlots);
        }
        boolean[] seen = new boolean[maxSlots];
        for (int i = 0; i < count; i++) {
            checkSlot(slots[i]);
            if (seen[slots[i]]) {
                throw new IllegalArgumentException("slot " + slots[i] + " appears twice in one generate call");
            }
            seen[slots[i]] = true;
        }
        checkTokens(firstTokens, 0, count, "the first tokens");
        if (count == 0 || steps == 0) {
            return;
        }
        if (generator != null) {
            generateOnDevice(slots, firstTokens, count, steps, sampling, rngStates, outTokens);
        } else {
            StepLoopGenerator.run(this, slots, firstTokens, count, steps, sampling, rngStates, outTokens);
        }
    }

    private void generateOnDevice(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                                  long[] rng, int[] outTokens) {
        flushResets();
        device.makeCurrent();
        long total = (long) count * steps;
        if (generated == null || generated.bytes() < 4 * total) {
            if (generated != null) {
                generated.close();
                generated = null;
            }
            generated = DeviceBuffer.ints(total, "generated tokens");
        }
        stepIn.clear();
        stepIn.put(firstTokens, 0, count);
        stepIn.put(slots, 0, count);
        check(JCudaDriver.cuMemcpyHtoDAsync(stepIo.at(0), pinnedIn, 8L * count, stream), "cuMemcpyHtoDAsync(generate input)");
        if (!sampling.greedy()) {
            rngStates.write(rng, count);
        }
        generator.enqueue(count, steps, stepIo.address(), stepIo.at4(count), states.address(), stateFloats, sampling,
                rngStates.address(), generated.address());
        l.sync("generate of " + steps + " steps for " + count + " slots");
        generated.read(0, outTokens, 0, (int) total);
        if (!sampling.greedy()) {
            rngStates.read(rng, count);
        }
        for (int i = 0; i < count; i++) {
            positions[slots[i]] += steps;
        }
    }

    /** Whether {@link #generate} runs as one on-device launch per call (else a loop of steps). */
    public boolean deviceGenerate() {
        return generator != null;
    }

    /** Benchmarks only: slots per block of the generate kernel (0: chosen by the slot count). */
    void setGenerateSlotsPerBlock(int s) {
        if (generator != null) {
            generator.setSlotsPerBlock(s);
        }
    }

    // ---- benchmarking hooks ---------------------------------------------------------------------------

    /** Waits for all work of this engine. */
    public void synchronize() {
        device.makeCurrent();
        l.sync("synchronize");
    }

    /** Device bytes held by this engine's slots and workspace (weights are shared and not counted). */
    public long stateBytes() {
        return 4L * maxSlots * stateFloats;
    }

    /** Bytes of model weights on the device. */
    public long weightBytes() {
        return weights.bytes();
    }

    DeviceWeights weights() {
        return weights;
    }

    /** Whether batched steps run as the one-kernel small-model step. */
    public boolean smallStep() {
        return small != null;
    }

    /** The dense-layer mode of this engine: {@code tf32x3} or {@code ffma} (-Dscanflow.cuda.gemm). */
    public String gemmMode() {
        return l.gemmMode().name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        device.makeCurrent();
        try {
            JCudaDriver.cuStreamSynchronize(stream);
        } finally {
            for (CUgraphExec g : graphs.values()) {
                JCudaDriver.cuGraphExecDestroy(g);
            }
            graphs.clear();
            mixer.close();
            if (small != null) {
                small.close();
            }
            if (generator != null) {
                generator.close();
            }
            if (generated != null) {
                generated.close();
            }
            l.close();
            for (DeviceBuffer b : new DeviceBuffer[] {states, residual, normed, tokens, requests, rowIndex, lastHidden,
                    logits, meanAcc, stepIo, sampled, uniforms, rngStates}) {
                b.close();
            }
            JCudaDriver.cuMemFreeHost(pinnedIn);
            JCudaDriver.cuMemFreeHost(pinnedOut);
            JCudaDriver.cuMemFreeHost(pinnedUniforms);
            JCudaDriver.cuStreamDestroy(stream);
            weights.release();
        }
    }

    @Override
    public String toString() {
        return "cuda engine on " + device + ", " + maxSlots + " slots of " + stateFloats + " floats, "
                + maxRows + " rows per pass";
    }

}
