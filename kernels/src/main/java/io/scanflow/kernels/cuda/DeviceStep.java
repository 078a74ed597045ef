package io.scanflow.kernels.cuda;

import static io.scanflow.kernels.cuda.Cuda.check;
import static io.scanflow.kernels.cuda.Launcher.args;

import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.SamplingConfig;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * The batched step on the device: one token per slot through every layer, with one of five endings (state
 * only, final hidden, logits, argmax or sampling on the device). Tokens and slots go up in one pinned copy;
 * only token ids (or the requested output) come back. Each (slot count, ending) but sampling is captured
 * once as a CUDA graph and replayed ({@link StepGraphs}) when the engine's options allow.
 */
final class DeviceStep implements AutoCloseable {
    /** Step endings; a graph is kept per ending and count. */
    static final int NONE = 0, HIDDEN = 1, LOGITS = 2, ARGMAX = 3, SAMPLE = 4;

    private final Launcher l;
    private final DeviceSlots slots;
    private final DeviceLayers layers;
    private final StepGraphs graphs;
    private final boolean useGraphs;
    private final DeviceBuffer io, sampled, uniforms;
    private final DeviceResources resources = new DeviceResources();
    private final Pointer pinnedIn = new Pointer();
    private final Pointer pinnedOut = new Pointer();
    private final Pointer pinnedUniforms = new Pointer();
    private final IntBuffer hostIn, hostOut;
    private final DoubleBuffer hostUniforms;
    private final DeviceMixer.Pass pass;
    private final StepGraphs.StepWork capturable = (count, kind) -> enqueue(count, kind, null);

    DeviceStep(DeviceSlots slots, DeviceLayers layers, Launcher launcher, boolean useGraphs) {
        this.l = launcher;
        this.slots = slots;
        this.layers = layers;
        this.useGraphs = useGraphs;
        this.graphs = new StepGraphs(launcher);
        this.pass = DeviceMixer.Pass.over(slots);
        int maxSlots = slots.capacity();
        try {
            io = resources.ints(2L * maxSlots, "step tokens and slots");
            sampled = resources.ints(maxSlots, "sampled tokens");
            uniforms = resources.bytes(8L * maxSlots, "sampling uniforms");
            hostIn = pinned(pinnedIn, 8L * maxSlots, "step input").asIntBuffer();
            hostOut = pinned(pinnedOut, 4L * maxSlots, "step output").asIntBuffer();
            hostUniforms = pinned(pinnedUniforms, 8L * maxSlots, "uniforms").asDoubleBuffer();
            resources.add(graphs::close); // first to go: the graphs use the buffers above
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    private java.nio.ByteBuffer pinned(Pointer p, long bytes, String what) {
        check(JCudaDriver.cuMemAllocHost(p, bytes), "cuMemAllocHost(" + what + ")");
        resources.add(() -> JCudaDriver.cuMemFreeHost(p));
        return p.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    /** {@code Engine.step}: the ending that gives {@code output}, then the output read back. */
    void step(int[] slotIds, int[] tok, int count, Output output, float[] out) {
        int kind;
        switch (output) {
            case NONE:
                kind = NONE;
                break;
            case ALL_LOGITS:
            case LAST_LOGITS:
                kind = count <= layers.logitRows ? LOGITS : HIDDEN;
                break;
            default:
                kind = HIDDEN;
                break;
        }
        run(slotIds, tok, count, kind, null, null, null);
        if (count == 0) {
            return;
        }
        int d = layers.hidden, v = layers.vocab;
        switch (output) {
            case ALL_LOGITS:
            case LAST_LOGITS:
                if (kind == LOGITS) {
                    layers.logits.read(0, out, 0, count * v);
                } else {
                    for (int b0 = 0; b0 < count; b0 += layers.logitRows) {
                        int br = Math.min(layers.logitRows, count - b0);
                        layers.head(layers.normed.at4((long) b0 * d), br);
                        l.sync("step logits");
                        layers.logits.read(0, out, b0 * v, br * v);
                    }
                }
                break;
            case LAST_HIDDEN:
            case MEAN_HIDDEN:
                layers.normed.read(0, out, 0, count * d);
                break;
            default:
                break;
        }
    }

    /** A step whose next tokens are the argmax of the logits, picked on the device. */
    void stepGreedy(int[] slotIds, int[] tok, int count, int[] next) {
        if (count > layers.logitRows) {
            throw new IllegalArgumentException("at most " + layers.logitRows + " slots per on-device sampling step");
        }
        run(slotIds, tok, count, ARGMAX, null, null, next);
    }

    /** A step whose next tokens are sampled on the device with the callers' uniform draws. */
    void stepSample(int[] slotIds, int[] tok, int count, SamplingConfig sampling, double[] uniformDraws, int[] next) {
        if (sampling.greedy()) {
            stepGreedy(slotIds, tok, count, next);
            return;
        }
        if (sampling.topK() < 1 || sampling.topK() > 64) {
            throw new IllegalArgumentException("on-device sampling needs 1 <= top-k <= 64, found " + sampling.topK());
        }
        if (count > layers.logitRows) {
            throw new IllegalArgumentException("at most " + layers.logitRows + " slots per on-device sampling step");
        }
        if (uniformDraws.length < count) {
            throw new IllegalArgumentException("stepSample needs one uniform draw per slot");
        }
        run(slotIds, tok, count, SAMPLE, sampling, uniformDraws, next);
    }

    private void run(int[] slotIds, int[] tok, int count, int kind, SamplingConfig sampling, double[] uniformDraws,
                     int[] next) {
        if (count < 0 || count > slots.capacity()) {
            throw new IllegalArgumentException("step of " + count + " slots; this engine has " + slots.capacity());
        }
        if (count == 0) {
            return;
        }
        slots.claimAll(slotIds, count, "step");
        DevicePrefill.checkTokens(tok, 0, count, "the step", layers.vocab);
        slots.flushResets();
        l.device.makeCurrent();
        hostIn.clear();
        hostIn.put(tok, 0, count);
        hostIn.put(slotIds, 0, count);
        if (kind == SAMPLE) {
            hostUniforms.clear();
            hostUniforms.put(uniformDraws, 0, count);
        }
        if (useGraphs && kind != SAMPLE) {
            graphs.launch(count, kind, capturable);
        } else {
            enqueue(count, kind, sampling);
        }
        l.sync("step of " + count + " slots");
        if (next != null) {
            hostOut.clear();
            hostOut.get(next, 0, count);
        }
        for (int i = 0; i < count; i++) {
            slots.advance(slotIds[i], 1);
        }
    }

    /** Everything a step does on the device, asynchronously on the engine's stream (capturable). */
    private void enqueue(int count, int kind, SamplingConfig sampling) {
        check(JCudaDriver.cuMemcpyHtoDAsync(io.at(0), pinnedIn, 8L * count, l.stream), "cuMemcpyHtoDAsync(step input)");
        pass.slots = io.at4(count);
        layers.step(io.address(), count, pass);
        if (kind != NONE) {
            layers.finalNorm(0L, layers.normed.address(), count);
        }
        if (kind == LOGITS || kind == ARGMAX || kind == SAMPLE) {
            layers.head(layers.normed.address(), count);
        }
        int v = layers.vocab;
        if (kind == ARGMAX) {
            l.launch("argmax_rows", count, 1, 1, 256, 0,
                    args().ptr(layers.logits.address()).l(v).i(v).ptr(sampled.address()));
        }
        if (kind == SAMPLE) {
            check(JCudaDriver.cuMemcpyHtoDAsync(uniforms.at(0), pinnedUniforms, 8L * count, l.stream),
                    "cuMemcpyHtoDAsync(uniforms)");
            l.launch("sample_rows", count, 1, 1, 256, 0,
                    args().ptr(layers.logits.address()).l(v).i(v).d(1.0 / sampling.temperature()).i(sampling.topK())
                            .f(sampling.topP()).ptr(uniforms.address()).ptr(sampled.address()));
        }
        if (kind == ARGMAX || kind == SAMPLE) {
            check(JCudaDriver.cuMemcpyDtoHAsync(pinnedOut, sampled.at(0), 4L * count, l.stream),
                    "cuMemcpyDtoHAsync(sampled tokens)");
        }
    }

    /**
     * Queues the upload of {@code count} tokens and slots for a launch of the caller's ({@code what} names it
     * in errors); the device copies are at {@link #tokensAddress()} and {@link #slotsAddress(int)}.
     */
    void upload(int[] tok, int[] slotIds, int count, String what) {
        hostIn.clear();
        hostIn.put(tok, 0, count);
        hostIn.put(slotIds, 0, count);
        check(JCudaDriver.cuMemcpyHtoDAsync(io.at(0), pinnedIn, 8L * count, l.stream), "cuMemcpyHtoDAsync(" + what + ")");
    }

    /** Device address of the uploaded tokens. */
    long tokensAddress() {
        return io.address();
    }

    /** Device address of the uploaded slots of an upload of {@code count}. */
    long slotsAddress(int count) {
        return io.at4(count);
    }

    @Override
    public void close() {
        resources.close();
    }
}
