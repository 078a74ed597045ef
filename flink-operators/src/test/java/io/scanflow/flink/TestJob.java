package io.scanflow.flink;

import io.scanflow.model.testing.Fixture;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job the MiniCluster tests run: a replayable rate-limited source of {@link TestRecords}, keyed,
 * through classify and generate (sampled) on the CPU engine, each into a two-phase-commit sink.
 * Optionally one map throws once, at a chosen record, to inject a failure.
 */
final class TestJob {
    /** Paced, so sessions are running (and prompts waiting behind them) at most checkpoints. */
    static final Generate GENERATE = Generate.tokens(6).withSampling(0.9f, 20, 0.95f).withSeed(42).atTokensPerSecond(250);
    static final ScanOptions OPTIONS = ScanOptions.defaults().withBundleSize(8).withBundleTimeout(Duration.ofMillis(5));

    /** Where a failure is injected. */
    enum FailAt { NONE, SOURCE, CLASSIFY_OUTPUT, GENERATE_OUTPUT }

    private TestJob() {}

    static ModelSpec model() {
        return ModelSpec.of(Fixture.root().resolve("models").resolve("mamba1-tied")).withEngine(EngineChoice.CPU)
                .withChunkLength(16);
    }

    static void build(StreamExecutionEnvironment env, String run, int records, int keys, double perSecond,
                      FailAt failAt, long failIndex) {
        DataStream<ScanInput> input = env.fromSource(
                        new DataGeneratorSource<>(new RecordAt(keys), records, RateLimiterStrategy.perSecond(perSecond),
                                TypeInformation.of(ScanInput.class)),
                        WatermarkStrategy.noWatermarks(), "records")
                .setParallelism(1).uid("records");
        if (failAt == FailAt.SOURCE) {
            input = input.map(new FailOnce<ScanInput>(run, failIndex)).returns(TypeInformation.of(ScanInput.class))
                    .setParallelism(1).uid("fail-input");
        }
        KeyedStream<ScanInput, String> keyed = ScanOperators.keyByStream(input);

        DataStream<String> predictions = ScanOperators.classify(keyed, model(), Classify.perChunk(), OPTIONS)
                .uid("classify").map(new ToLine<Prediction>()).returns(Types.STRING).uid("classify-lines");
        if (failAt == FailAt.CLASSIFY_OUTPUT) {
            predictions = predictions.map(new FailOnce<String>(run, failIndex)).returns(Types.STRING).uid("fail-classify");
        }
        predictions.sinkTo(new CommittingCollectSink(run + "/classify")).uid("classify-sink");

        DataStream<String> tokens = ScanOperators.generate(keyed, model(), GENERATE, OPTIONS)
                .uid("generate").map(new ToLine<GeneratedToken>()).returns(Types.STRING).uid("generate-lines");
        if (failAt == FailAt.GENERATE_OUTPUT) {
            tokens = tokens.map(new FailOnce<String>(run, failIndex)).returns(Types.STRING).uid("fail-generate");
        }
        tokens.sinkTo(new CommittingCollectSink(run + "/generate")).uid("generate-sink");
    }

    static final class RecordAt implements GeneratorFunction<Long, ScanInput> {
        private static final long serialVersionUID = 1L;
        private final int keys;

        RecordAt(int keys) {
            this.keys = keys;
        }

        @Override
        public ScanInput map(Long index) {
            return TestRecords.at(index, keys);
        }
    }

    static final class ToLine<T> implements MapFunction<T, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(T value) {
            return Render.line(value);
        }
    }

    /**
     * Throws once per run, when a subtask sees its {@code failIndex}-th record (counted from its start),
     * and counts the subtasks that came back from a checkpoint (rather than from the very start).
     */
    static final class FailOnce<T> implements MapFunction<T, T>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
        static final Map<String, AtomicInteger> RESTORES = new ConcurrentHashMap<>();

        private final String run;
        private final long failIndex;
        private long seen;

        FailOnce(String run, long failIndex) {
            this.run = run;
            this.failIndex = failIndex;
        }

        @Override
        public T map(T value) {
            if (seen++ == failIndex && FAILURES.computeIfAbsent(run, r -> new AtomicInteger()).compareAndSet(0, 1)) {
                throw new IllegalStateException("injected failure in " + run + " at record " + failIndex);
            }
            return value;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public void initializeState(FunctionInitializationContext context) {
            if (context.isRestored()) {
                RESTORES.computeIfAbsent(run, r -> new AtomicInteger()).incrementAndGet();
            }
        }

        static int restores(String run) {
            AtomicInteger n = RESTORES.get(run);
            return n == null ? 0 : n.get();
        }

        static int failures(String run) {
            AtomicInteger n = FAILURES.get(run);
            return n == null ? 0 : n.get();
        }
    }
}
