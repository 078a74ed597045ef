package io.scanflow.kernels.cuda;

import io.scanflow.kernels.GenerationLoop;
import io.scanflow.model.sampling.SamplingConfig;

/**
 * {@code generate}: one {@link Mamba1Generator} launch per call where the model has one (no host work between
 * tokens), else the loop of batched steps of {@link StepLoopGenerator}. Both choose tokens exactly as
 * {@code Sampler} does and advance the random states the same way.
 */
final class DeviceGeneration implements AutoCloseable {
    private final CudaEngine engine;
    private final Launcher l;
    private final DeviceSlots slots;
    private final DeviceStep step;
    private final Mamba1Generator generator;
    private final int vocab;
    private final DeviceBuffer rngStates;
    /** The tokens of the last call, grown to the largest call. */
    private DeviceBuffer generated;

    /** @param generator the model's on-device generator, or null to loop over steps (owned from here on) */
    DeviceGeneration(CudaEngine engine, DeviceSlots slots, DeviceStep step, Launcher launcher, Mamba1Generator generator,
                     int vocab) {
        this.engine = engine;
        this.l = launcher;
        this.slots = slots;
        this.step = step;
        this.generator = generator;
        this.vocab = vocab;
        try {
            rngStates = DeviceBuffer.allocate(8L * slots.capacity(), "random states");
        } catch (RuntimeException e) {
            if (generator != null) {
                generator.close();
            }
            throw e;
        }
    }

    /** Whether a call runs as one on-device launch. */
    boolean onDevice() {
        return generator != null;
    }

    /** The on-device generator, or null (tests and benchmarks tune it). */
    Mamba1Generator generator() {
        return generator;
    }

    void generate(int[] slotIds, int[] firstTokens, int count, int steps, SamplingConfig sampling, long[] rng,
                  int[] outTokens) {
        GenerationLoop.checkArguments(slotIds, firstTokens, count, steps, sampling, rng, outTokens);
        if (count > slots.capacity()) {
            throw new IllegalArgumentException("generate for " + count + " slots; this engine has " + slots.capacity());
        }
        slots.claimAll(slotIds, count, "generate call");
        DevicePrefill.checkTokens(firstTokens, 0, count, "the first tokens", vocab);
        if (count == 0 || steps == 0) {
            return;
        }
        if (generator != null) {
            onDevice(slotIds, firstTokens, count, steps, sampling, rng, outTokens);
        } else {
            StepLoopGenerator.run(engine, slotIds, firstTokens, count, steps, sampling, rng, outTokens);
        }
    }

    private void onDevice(int[] slotIds, int[] firstTokens, int count, int steps, SamplingConfig sampling, long[] rng,
                          int[] outTokens) {
        slots.flushResets();
        l.device.makeCurrent();
        long total = (long) count * steps;
        if (generated == null || generated.bytes() < 4 * total) {
            if (generated != null) {
                generated.close();
                generated = null;
            }
            generated = DeviceBuffer.ints(total, "generated tokens");
        }
        step.upload(firstTokens, slotIds, count, "generate input");
        if (!sampling.greedy()) {
            rngStates.write(rng, count);
        }
        generator.enqueue(count, steps, step.tokensAddress(), step.slotsAddress(count), slots.address(),
                slots.stateFloats(), sampling, rngStates.address(), generated.address());
        l.sync("generate of " + steps + " steps for " + count + " slots");
        generated.read(0, outTokens, 0, (int) total);
        if (!sampling.greedy()) {
            rngStates.read(rng, count);
        }
        for (int i = 0; i < count; i++) {
            slots.advance(slotIds[i], steps);
        }
    }

    @Override
    public void close() {
        try {
            if (generator != null) {
                generator.close();
            }
            if (generated != null) {
                generated.close();
            }
        } finally {
            rngStates.close();
        }
    }
}
