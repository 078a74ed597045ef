package io.scanflow.flink.faults;

import io.scanflow.flink.engine.EngineWrapper;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.SamplingConfig;
import java.util.Arrays;

/**
 * An engine that fails where its run's {@link Faults} say: an engine call fails after it has run the
 * first half of its bundle (so some slots have moved on and others not, as a kernel failing midway
 * leaves them), and opening a slot fails the way a GPU out of device memory does.
 */
public final class FaultyEngine implements Engine {
    private final Engine engine;
    private final String run;

    private FaultyEngine(Engine engine, String run) {
        this.engine = engine;
        this.run = run;
    }

    /** The wrapper for {@link io.scanflow.flink.ModelSpec#withEngineWrapper}. */
    public static EngineWrapper wrapper(String run) {
        return (engine, subtask) -> new FaultyEngine(engine, run);
    }

    @Override
    public String backend() {
        return engine.backend();
    }

    @Override
    public SequenceModel model() {
        return engine.model();
    }

    @Override
    public int openSlot() {
        Faults.hit(run, Faults.Site.ENGINE_OUT_OF_MEMORY);
        return engine.openSlot();
    }

    @Override
    public void closeSlot(int slot) {
        engine.closeSlot(slot);
    }

    @Override
    public void resetSlot(int slot) {
        engine.resetSlot(slot);
    }

    @Override
    public void loadSlot(int slot, byte[] stateBytes) {
        engine.loadSlot(slot, stateBytes);
    }

    @Override
    public byte[] saveSlot(int slot) {
        return engine.saveSlot(slot);
    }

    @Override
    public long position(int slot) {
        return engine.position(slot);
    }

    @Override
    public int openSlots() {
        return engine.openSlots();
    }

    @Override
    public void prefill(int[] slots, int[][] tokens, Output output, float[][] out) {
        try {
            Faults.hit(run, Faults.Site.ENGINE);
        } catch (Faults.InjectedFailure f) {
            int half = slots.length / 2;
            if (half > 0) {
                engine.prefill(Arrays.copyOf(slots, half), Arrays.copyOf(tokens, half), output,
                        out == null ? null : Arrays.copyOf(out, half));
            }
            throw f;
        }
        engine.prefill(slots, tokens, output, out);
    }

    @Override
    public void step(int[] slots, int[] tokens, int count, Output output, float[] out) {
        Faults.hit(run, Faults.Site.ENGINE);
        engine.step(slots, tokens, count, output, out);
    }

    @Override
    public void generate(int[] slots, int[] firstTokens, int count, int steps, SamplingConfig sampling,
                         long[] rngStates, int[] outTokens) {
        try {
            Faults.hit(run, Faults.Site.ENGINE);
        } catch (Faults.InjectedFailure f) {
            int half = count / 2;
            if (half > 0) {
                engine.generate(slots, firstTokens, half, steps, sampling, rngStates, outTokens);
            }
            throw f;
        }
        engine.generate(slots, firstTokens, count, steps, sampling, rngStates, outTokens);
    }

    @Override
    public void close() {
        engine.close();
    }
}
