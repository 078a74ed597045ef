package io.scanflow.flink;

import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.api.common.functions.MapFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Flink overhead of the classify operator: the same records through the engine alone (bundles of
 * distinct keys, one prefill call each, nothing else) and through a local job (source, keyBy,
 * classify, discarding sink), parallelism 1 and one engine thread in both.
 *
 * <p>Opt-in: {@code -Dscanflow.bench=true}; sizes via {@code -Dscanflow.bench.records},
 * {@code .keys}, {@code .chunk}, {@code .model} (a model folder; default the tiny test fixture).
 */
@EnabledIfSystemProperty(named = "scanflow.bench", matches = "true")
class FlinkOverheadBenchmark {
    static final int RECORDS = Integer.getInteger("scanflow.bench.records", 40_000);
    static final int KEYS = Integer.getInteger("scanflow.bench.keys", 64);
    static final int CHUNK = Integer.getInteger("scanflow.bench.chunk", 16);
    static final Path MODEL = Path.of(System.getProperty("scanflow.bench.model",
            Fixture.root().resolve("models").resolve("mamba1-tied").toString()));
    static final int RUNS = 3;

    static final AtomicLong FIRST = new AtomicLong();
    static final AtomicLong LAST = new AtomicLong();
    static final AtomicLong SEEN = new AtomicLong();

    @Test
    void operatorInAJobVersusTheEngineAlone() throws Exception {
        SequenceModel model = CpuEngine.loadModel(MODEL);
        List<ScanInput> records = records(model.vocabSize());
        long tokens = (long) RECORDS * CHUNK;

        double engineBest = Double.MAX_VALUE;
        for (int run = 0; run <= RUNS; run++) {
            double s = engineAlone(model, records);
            if (run > 0) { // run 0 warms the JIT up
                engineBest = Math.min(engineBest, s);
            }
        }
        double jobBest = Double.MAX_VALUE;
        double netBest = Double.MAX_VALUE;
        for (int run = 0; run <= RUNS; run++) {
            double[] s = job(records);
            if (run > 0) {
                jobBest = Math.min(jobBest, s[0]);
                netBest = Math.min(netBest, s[1]);
            }
        }
        // Steady state: outputs after the first bundle, from the first to the last output.
        double jobRate = (RECORDS - KEYS) / jobBest;
        double engineRate = RECORDS / engineBest;
        double netRate = RECORDS / netBest;
        System.out.printf("%nFlink overhead, %s (vocab %d, hidden %d), %d records x %d tokens over %d keys, bundles of %d%n",
                MODEL.getFileName(), model.vocabSize(), model.hiddenSize(), RECORDS, CHUNK, KEYS, KEYS);
        System.out.printf("%-42s %14s %14s %10s%n", "", "records/s", "tokens/s", "vs engine");
        System.out.printf("%-42s %14.0f %14.0f %10s%n", "engine alone (peer; best of " + RUNS + ")", engineRate,
                engineRate * CHUNK, "1.000");
        System.out.printf("%-42s %14.0f %14.0f %10.3f%n", "job, steady state (best of " + RUNS + ")", jobRate,
                jobRate * CHUNK, engineRate / jobRate);
        System.out.printf("%-42s %14.0f %14.0f %10.3f%n", "job, end to end incl. deployment", netRate, netRate * CHUNK,
                engineRate / netRate);
        System.out.printf("overhead (steady state): %.1f%%; tokens per run %d%n", 100 * (engineRate / jobRate - 1), tokens);
    }

    static List<ScanInput> records(int vocab) {
        List<ScanInput> out = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            int[] t = new int[CHUNK];
            for (int j = 0; j < CHUNK; j++) {
                t[j] = (int) ((i * 31L + j * 17L + 3) % vocab);
            }
            // Keys cycle, so every bundle of KEYS consecutive records holds each key once.
            out.add(new ScanInput("k" + (i % KEYS), t, null, false, i));
        }
        return out;
    }

    /** Seconds to run every bundle through one prefill call (LAST_LOGITS), as the operator does. */
    static double engineAlone(SequenceModel model, List<ScanInput> records) {
        try (CpuEngine engine = new CpuEngine(model, 1, 256)) {
            Map<String, Integer> slots = new HashMap<>();
            float[][] outs = new float[KEYS][model.vocabSize()];
            long t0 = System.nanoTime();
            for (int from = 0; from < records.size(); from += KEYS) {
                int n = Math.min(KEYS, records.size() - from);
                int[] s = new int[n];
                int[][] tokens = new int[n][];
                for (int i = 0; i < n; i++) {
                    ScanInput r = records.get(from + i);
                    s[i] = slots.computeIfAbsent(r.key(), k -> engine.openSlot());
                    tokens[i] = r.tokens();
                }
                engine.prefill(s, tokens, Output.LAST_LOGITS, n == KEYS ? outs : java.util.Arrays.copyOf(outs, n));
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** {steady-state seconds (first to last output), job net runtime seconds}. */
    static double[] job(List<ScanInput> records) throws Exception {
        FIRST.set(0);
        LAST.set(0);
        SEEN.set(0);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        ModelSpec spec = ModelSpec.of(MODEL).withEngine(EngineChoice.CPU).withThreads(1).withChunkLength(256);
        ScanOptions options = ScanOptions.defaults().withBundleSize(KEYS).withBundleTimeout(Duration.ofMillis(10));
        ScanOperators.predictNextToken(ScanOperators.keyByStream(env.fromData(records, TypeInformation.of(ScanInput.class))),
                        spec, Classify.perChunk(), options)
                .map(new Clock()).returns(TypeInformation.of(Prediction.class))
                .sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("flink overhead benchmark");
        if (SEEN.get() != RECORDS) {
            throw new AssertionError("expected " + RECORDS + " predictions, saw " + SEEN.get());
        }
        return new double[] {(LAST.get() - FIRST.get()) / 1e9, result.getNetRuntime() / 1e3};
    }

    /** Notes the time of the first and last prediction. */
    static final class Clock implements MapFunction<Prediction, Prediction> {
        private static final long serialVersionUID = 1L;

        @Override
        public Prediction map(Prediction p) {
            long now = System.nanoTime();
            FIRST.compareAndSet(0, now);
            LAST.set(now);
            SEEN.incrementAndGet();
            return p;
        }
    }
}
