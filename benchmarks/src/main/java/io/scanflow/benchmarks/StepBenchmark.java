package io.scanflow.benchmarks;

import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One batched recurrent step of {@code batch} independent streams, LM head included (what generation
 * pays per token). Time per call; tokens/s = batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StepBenchmark {
    @Param({"AUDIO", "DNA", "MAMBA_130M"})
    public ModelShape shape;

    @Param({"1", "16", "64", "256", "1024"})
    public int batch;

    private CpuEngine engine;
    private int[] slots;
    private int[] tokens;
    private float[] logits;

    @Setup
    public void setUp() {
        SequenceModel model = EngineFixture.model(shape);
        engine = new CpuEngine(model, EngineFixture.threads(), Math.max(64, batch));
        slots = new int[batch];
        tokens = new int[batch];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < batch; i++) {
            slots[i] = engine.openSlot();
            tokens[i] = r.nextInt(shape.vocab);
        }
        logits = new float[batch * shape.vocab];
    }

    @Benchmark
    public float[] step() {
        engine.step(slots, tokens, batch, Output.LAST_LOGITS, logits);
        return logits;
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }
}
