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

/** Prefill of one fresh stream of {@code length} tokens in chunks of 1024, logits of the last position. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PrefillBenchmark {
    @Param({"AUDIO", "DNA", "MAMBA_130M"})
    public ModelShape shape;

    @Param({"1024", "4096", "16384", "65536"})
    public int length;

    private CpuEngine engine;
    private int slot;
    private int[][] tokens;
    private float[][] logits;

    @Setup
    public void setUp() {
        SequenceModel model = EngineFixture.model(shape);
        engine = new CpuEngine(model, EngineFixture.threads(), 1024);
        slot = engine.openSlot();
        SplittableRandom r = new SplittableRandom(11);
        tokens = new int[1][length];
        for (int i = 0; i < length; i++) {
            tokens[0][i] = r.nextInt(shape.vocab);
        }
        logits = new float[][] {new float[shape.vocab]};
    }

    @Benchmark
    public float[][] prefill() {
        engine.resetSlot(slot);
        engine.prefill(new int[] {slot}, tokens, Output.LAST_LOGITS, logits);
        return logits;
    }

    @TearDown
    public void tearDown() {
        engine.close();
    }
}
