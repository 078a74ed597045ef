package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.sampling.SamplingConfig;
import io.scanflow.model.state.StateCodec;
import java.nio.file.Path;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend: the model's weights on the GPU (shared per device), every stream's state in one of
 * {@code maxSlots} device-resident slots allocated up front, and all work as kernels from the packaged
 * fatbin on one stream per engine. The parts, each on its own: {@link DeviceSlots} (slot numbers, resets,
 * saving and loading), {@link DevicePrefill} (requests packed into passes, outputs taken per pass),
 * {@link DeviceStep} (the batched step, replayed as CUDA graphs), {@link DeviceGeneration} ({@code generate})
 * over {@link DeviceLayers} (embedding, norms, the model kind's {@link DeviceMixer}, LM head).
 *
 * <p>{@link #saveSlot}/{@link #loadSlot} copy one slot to/from the model's versioned state bytes
 * ({@link StateCodec}), identical to the CPU backend's, so a checkpoint written on one backend restores on
 * the other. A CUDA failure raises {@link CudaException} naming the kernel, launch shape and error.
 *
 * <p>One thread at a time (a Flink task); engines on the same device share weights and kernels.
 */
public final class CudaEngine implements Engine {
    private static final String[] KERNELS = {"sgemm_nt_128", "sgemm_nt_64", "tf32x3_nt_128", "tf32x3_nt_64", "tf32x3_nt_64x80",
        "splitk_reduce", "gemv_nt", "embed_rows", "rmsnorm_rows",
        "gated_rmsnorm", "mean_accumulate", "gather_rows", "conv_fwd", "conv_window_update", "conv_step", "m1_scan_fwd_n4", "m1_scan_fwd_n8",
        "m1_scan_fwd_n16", "m1_scan_fwd_n32", "m1_scan_fwd_n64", "m1_scan_fwd_n128", "m1_scan_sum_n4", "m1_scan_sum_n8",
        "m1_scan_sum_n16", "m1_scan_sum_n32", "m1_scan_sum_n64", "m1_scan_sum_n128",
        "m1_scan_step", "m1_delta", "m2_ssd_fwd", "m2_scan_step", "argmax_rows", "sample_rows", "m1_generate", "transpose_pad"};

    private final SequenceModel model;
    private final EngineOptions options;
    private final CudaDevice device;
    private final DeviceWeights weights;
    private final CUstream stream = new CUstream();
    private final Launcher l;
    private final int maxRows;
    private final DeviceSlots slots;
    private final DeviceLayers layers;
    private final DevicePrefill prefill;
    private final DeviceStep step;
    private final DeviceGeneration generation;
    /** Everything above that the engine frees on close, newest first. */
    private final DeviceResources parts = new DeviceResources();
    private boolean closed;

    private CudaEngine(SequenceModel model, Path modelDir, EngineOptions options) {
        if (options.maxSlots() > 65535) {
            throw new IllegalArgumentException("the CUDA backend supports at most 65535 slots per engine");
        }
        this.model = model;
        this.options = options;
        ModelConfig cfg = model.config();
        int maxSlots = options.maxSlots();
        this.device = CudaDevice.get(options.device());
        int rowsPerPass = options.maxRowsPerPass() != EngineOptions.AUTO_ROWS ? options.maxRowsPerPass()
                : PassSizing.autoRowsPerPass(cfg, device.memoryInfo()[0]);
        this.maxRows = Math.max(rowsPerPass, maxSlots);
        MixerKind kind = MixerKind.of(cfg);
        this.weights = DeviceWeights.acquire(device, model, modelDir);
        parts.add(weights::release);
        try {
            check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
            parts.add(() -> JCudaDriver.cuStreamDestroy(stream));
            this.l = new Launcher(device, stream, options.cuda());
            parts.add(l::close);
            // Look every kernel up now: no module calls while a step is being captured into a graph.
            for (String k : KERNELS) {
                device.function(k);
            }
            DeviceMixer mixer = kind.mixer(cfg, weights, l, maxRows);
            parts.add(mixer::close);
            long stateFloats = mixer.stateFloats();
            if (stateFloats != model.newState().data().length) {
                throw new IllegalStateException("device state layout has " + stateFloats + " floats, the model "
                        + model.newState().data().length);
            }
            this.layers = new DeviceLayers(cfg, weights, mixer, l, maxRows,
                    PassSizing.logitRows(maxRows, maxSlots, cfg.vocabSize()));
            parts.add(layers::close);
            this.slots = new DeviceSlots(model, l, maxSlots, stateFloats);
            parts.add(slots::close);
            this.prefill = new DevicePrefill(slots, layers, l, maxRows, options.chunkLength());
            parts.add(prefill::close);
            this.step = new DeviceStep(slots, layers, l, options.cudaGraphs());
            parts.add(step::close);
            this.generation = new DeviceGeneration(this, slots, step, l,
                    kind.generator(cfg, weights, layers.lmHead(), l, options.cuda()), cfg.vocabSize());
            parts.add(generation::close);
        } catch (RuntimeException | Error e) {
            parts.close();
            throw e;
        }
    }

    /**
     * A {@code maxRowsPerPass} for {@code cfg}: 8192 rows, raised for small models to what 512 MB of prefill
     * workspace holds, so that many short requests take few passes; an engine built with
     * {@link EngineOptions#AUTO_ROWS} (the default) takes this, within a quarter of the device's free memory.
     */
    public static int suggestedRowsPerPass(ModelConfig cfg) {
        return PassSizing.suggestedRowsPerPass(cfg);
    }

    /**
     * Most slots that fit {@code share} of the free device memory for {@code cfg}'s state (at least 1, at
     * most 65535), so callers can size {@code maxSlots} from the keys they expect.
     */
    public static int slotsThatFit(ModelConfig cfg, long stateFloats, int device, double share) {
        return PassSizing.slotsThatFit(cfg, stateFloats, CudaDevice.get(device).memoryInfo()[0], share);
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
        return slots.open();
    }

    @Override
    public void closeSlot(int slot) {
        slots.close(slot);
    }

    /** Marks the slot fresh; its state is zeroed before the next device work, with every slot reset meanwhile. */
    @Override
    public void resetSlot(int slot) {
        slots.reset(slot);
    }

    @Override
    public void loadSlot(int slot, byte[] stateBytes) {
        slots.load(slot, stateBytes);
    }

    @Override
    public byte[] saveSlot(int slot) {
        return slots.save(slot);
    }

    @Override
    public long position(int slot) {
        return slots.position(slot);
    }

    @Override
    public int openSlots() {
        return slots.openCount();
    }

    @Override
    public int slotCapacity() {
        return slots.capacity();
    }

    // ---- work ----------------------------------------------------------------------------------------

    @Override
    public void prefill(int[] slotIds, int[][] tok, Output output, float[][] out) {
        prefill.prefill(slotIds, tok, output, out);
    }

    @Override
    public void step(int[] slotIds, int[] tok, int count, Output output, float[] out) {
        step.step(slotIds, tok, count, output, out);
    }

    /**
     * A batched step that picks each slot's next token on the device (greedy argmax, lowest index on
     * ties, as {@code Sampler.argmax}); only the token ids come back to the host.
     */
    public void stepGreedy(int[] slotIds, int[] tok, int count, int[] next) {
        step.stepGreedy(slotIds, tok, count, next);
    }

    /**
     * A batched step that samples each slot's next token on the device exactly as {@code Sampler.sample}
     * (temperature, top-k, top-p), with {@code uniforms[i]} the slot's draw from its RandomState. Top-k must
     * be between 1 and 64 on the device (greedy configs run the argmax).
     */
    public void stepSample(int[] slotIds, int[] tok, int count, SamplingConfig sampling, double[] uniformDraws,
                           int[] next) {
        step.stepSample(slotIds, tok, count, sampling, uniformDraws, next);
    }

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
    public void generate(int[] slotIds, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                         long[] rngStates, int[] outTokens) {
        generation.generate(slotIds, firstTokens, count, steps, sampling, rngStates, outTokens);
    }

    /** Whether {@link #generate} runs as one on-device launch per call (else a loop of steps). */
    public boolean deviceGenerate() {
        return generation.onDevice();
    }

    // ---- what benchmarks and tests read --------------------------------------------------------------

    /** Waits for all work of this engine. */
    public void synchronize() {
        device.makeCurrent();
        l.sync("synchronize");
    }

    /** Device bytes held by this engine's slots (weights are shared and not counted). */
    public long stateBytes() {
        return 4L * slots.capacity() * slots.stateFloats();
    }

    /** Bytes of model weights on the device. */
    public long weightBytes() {
        return weights.bytes();
    }

    /** The dense-layer kernels this engine runs: {@code tf32x3} or {@code ffma}. */
    public String gemmMode() {
        return CudaTuning.text(l.tuning().gemm());
    }

    DeviceWeights weights() {
        return weights;
    }

    /** The engine's launcher, whose tuning tests and benchmarks switch between calls. */
    Launcher launcher() {
        return l;
    }

    /** The on-device generator, or null (benchmarks fix its slot groups). */
    Mamba1Generator generator() {
        return generation.generator();
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
            parts.close();
        }
    }

    @Override
    public String toString() {
        return "cuda engine on " + device + ", " + slots.capacity() + " slots of " + slots.stateFloats() + " floats, "
                + maxRows + " rows per pass";
    }
}
