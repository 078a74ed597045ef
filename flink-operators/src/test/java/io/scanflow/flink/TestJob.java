package io.scanflow.flink;

import io.scanflow.flink.faults.FaultPoint;
import io.scanflow.flink.faults.Faults;
import io.scanflow.flink.faults.FaultyEngine;
import io.scanflow.flink.operator.Reference;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job the MiniCluster tests run: a gated, replayable source of {@link TestRecords} (it reads only
 * as far as the test opens its {@link SourceGate}), keyed, through classify and sampled generation,
 * each into a two-phase-commit sink. Fault points sit behind the source and behind each operator, the
 * engine is a {@link FaultyEngine} and the sinks fail where the run's {@link Faults} are armed;
 * unarmed, they only pass records on. The topology is the same whatever is armed, so savepoints
 * restore into any run of it.
 */
final class TestJob {
    /** Sampled at temperature 1.5 on a fixture whose samples then depend on the random state. */
    static final Generate GENERATE = Generate.tokens(6).withSampling(1.5f, 20, 0.95f).withSeed(42);
    /** Paced, so sessions are running (and prompts waiting behind them) at most checkpoints. */
    static final Generate PACED = GENERATE.atTokensPerSecond(250);
    /** Fewer cached keys than keys, so slots are written back, closed and opened again all through a run. */
    static final ScanOptions OPTIONS = ScanOptions.defaults().withBundleSize(8).withBundleTimeout(Duration.ofMillis(5))
            .withMaxCachedKeys(2);
    static final String MODEL = "mamba1-untied-bias";
    static final int VOCAB = 37;

    /** One run of the job: its unique id, its records and how it generates. */
    record Run(String id, int records, int keys, Generate generate) {
        /** A run with a fresh id, so sinks, gates and faults of other runs and attempts never mix in. */
        static Run fresh(String name, int records, int keys, Generate generate) {
            return new Run(name + "-" + UUID.randomUUID(), records, keys, generate);
        }

        List<ScanInput> inputs() {
            return TestRecords.first(records, keys, VOCAB);
        }

        SourceGate gate() {
            return SourceGate.of(id);
        }

        Faults faults() {
            return Faults.of(id);
        }

        List<String> predictions() {
            return CommittingCollectSink.committed(id, "classify");
        }

        List<String> tokens() {
            return CommittingCollectSink.committed(id, "generate");
        }

        /** What the engine alone gives for the run's records: predictions, then generated tokens. */
        Expected expected() {
            try (Reference classify = new Reference(modelDir()); Reference generate = new Reference(modelDir())) {
                return new Expected(TestRecords.render(classify.classifyPerChunk(inputs())),
                        TestRecords.render(generate.generate(inputs(), this.generate)));
            }
        }

        /** Drops everything kept in memory for the run. */
        void forget() {
            SourceGate.remove(id);
            Faults.forget(id);
            CommittingCollectSink.forget(id);
        }
    }

    /** The engine-alone output of a run, rendered. */
    record Expected(List<String> predictions, List<String> tokens) {}

    private TestJob() {}

    static Path modelDir() {
        return Fixture.root().resolve("models").resolve(MODEL);
    }

    static ModelSpec model(String run) {
        return ModelSpec.of(modelDir()).withEngine(EngineChoice.CPU).withChunkLength(16)
                .withEngineWrapper(FaultyEngine.wrapper(run));
    }

    static void build(StreamExecutionEnvironment env, Run run) {
        String id = run.id();
        DataStream<ScanInput> input = env.fromSource(
                        SourceGate.source(id, new RecordAt(run.keys()), run.records(), TypeInformation.of(ScanInput.class)),
                        WatermarkStrategy.noWatermarks(), "records")
                .setParallelism(1).uid("records")
                .map(new FaultPoint<ScanInput>(id, Faults.Site.SOURCE, false)).returns(TypeInformation.of(ScanInput.class))
                .setParallelism(1).uid("fault-source");
        KeyedStream<ScanInput, String> keyed = ScanOperators.keyByStream(input);

        ScanOperators.predictNextToken(keyed, model(id), Classify.perChunk(), OPTIONS).uid("classify")
                .map(new ToLine<Prediction>()).returns(Types.STRING).uid("classify-lines")
                .map(new FaultPoint<String>(id, Faults.Site.CLASSIFY_OUTPUT, false)).returns(Types.STRING)
                .uid("fault-classify")
                .sinkTo(new CommittingCollectSink(id, "classify")).uid("classify-sink");

        ScanOperators.generate(keyed, model(id), run.generate(), OPTIONS).uid("generate")
                .map(new ToLine<GeneratedToken>()).returns(Types.STRING).uid("generate-lines")
                .map(new FaultPoint<String>(id, Faults.Site.GENERATE_OUTPUT, true)).returns(Types.STRING)
                .uid("fault-generate")
                .sinkTo(new CommittingCollectSink(id, "generate")).uid("generate-sink");
    }

    static final class RecordAt implements GeneratorFunction<Long, ScanInput> {
        private static final long serialVersionUID = 1L;
        private final int keys;

        RecordAt(int keys) {
            this.keys = keys;
        }

        @Override
        public ScanInput map(Long index) {
            return TestRecords.at(index, keys, VOCAB);
        }
    }

    static final class ToLine<T> implements MapFunction<T, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(T value) {
            return Render.line(value);
        }
    }
}
