package io.scanflow.flink.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scanflow.flink.CommittingCollectSink;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.SourceGate;
import io.scanflow.flink.TestRecords;
import io.scanflow.flink.engine.SharedModels;
import io.scanflow.flink.operator.Reference;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ScanflowClassify} through the Table API and SQL on a MiniCluster: each partition's predictions
 * equal the engine alone fed that key's chunks in order ({@link Reference}, the same bits as the DataStream
 * classify), also when the job is stopped with a savepoint partway and the query restored from it.
 */
class ScanflowClassifyITCase {
    private static final int RECORDS = 120;
    private static final int KEYS = 5;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String QUERY =
            "SELECT * FROM TABLE(SCANFLOW_CLASSIFY(input => TABLE chunks PARTITION BY key))";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private String run;

    @AfterEach
    void forget() {
        if (run != null) {
            SourceGate.remove(run);
            CommittingCollectSink.forget(run);
        }
    }

    /** Every instance of the function closed with its job, and so released the shared model. */
    @AfterEach
    void modelReleased() {
        assertEquals(0, SharedModels.leases(modelDir()), "leases left on the model");
    }

    @Test
    void eachPartitionIsClassifiedAsTheEngineAloneWould() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tables = tables(env);
        List<Row> rows = new ArrayList<>();
        for (ScanInput r : TestRecords.first(RECORDS, KEYS)) {
            rows.add(ReadRow.of(r));
        }
        tables.createTemporaryView("chunks", tables.fromDataStream(env.fromData(rows, ReadRow.TYPE)));

        List<String> lines = new ArrayList<>();
        try (CloseableIterator<Row> out = tables.executeSql(QUERY).collect()) {
            out.forEachRemaining(row -> lines.add(ReadRow.line(row)));
        }
        assertEquals(expected(), TestRecords.byKey(lines));
    }

    @Test
    void aTokenOutsideTheVocabularyFailsTheQueryNamingTheRowAndElement() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = tables(env);
        List<Row> rows = List.of(Row.of("k0", new Integer[] {1, 2}, false), Row.of("k1", new Integer[] {3, 99, 4}, false));
        tables.createTemporaryView("chunks", tables.fromDataStream(env.fromData(rows, ReadRow.TYPE)));

        Exception e = assertThrows(Exception.class, () -> {
            try (CloseableIterator<Row> out = tables.executeSql(QUERY).collect()) {
                out.forEachRemaining(row -> { });
            }
        });
        String message = ExceptionUtils.findThrowable(e, IllegalArgumentException.class).map(Throwable::getMessage)
                .orElseThrow(() -> new AssertionError("no IllegalArgumentException in", e));
        assertEquals("SCANFLOW_CLASSIFY: row +I[k1, [3, 99, 4], false]: tokens[1] = 99 is outside the model's "
                + "vocabulary [0, 50)", message);
    }

    @Test
    void aQueryRestoredFromASavepointGoesOnWithEachPartitionsState(@TempDir Path savepoints) throws Exception {
        run = "sql-restore-" + UUID.randomUUID();
        JobClient first = start(null);
        SourceGate.of(run).openTo(RECORDS / 2);
        CommittingCollectSink.awaitCount(run, "sql", RECORDS / 2, PATIENCE);
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        int beforeRestore = CommittingCollectSink.count(run, "sql");

        SourceGate.of(run).openFully();
        start(savepoint).getJobExecutionResult().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        List<String> committed = CommittingCollectSink.committed(run, "sql");
        System.out.printf("SQL restore: %d predictions before the savepoint, %d in all%n", beforeRestore,
                committed.size());
        assertEquals(RECORDS / 2, beforeRestore, "the first run stops where the test stopped it");
        assertEquals(RECORDS, committed.size(), "one prediction per row");
        assertEquals(expected(), TestRecords.byKey(committed));
    }

    /** The query over the gated source of the run, into a two-phase-commit sink; restored from {@code savepoint}. */
    private JobClient start(String savepoint) throws Exception {
        Configuration conf = new Configuration();
        // A failure fails the test at once instead of restarting out of sight.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        StreamTableEnvironment tables = tables(env);
        DataStream<Row> reads = env.fromSource(SourceGate.source(run, new RowAt(), RECORDS, ReadRow.TYPE),
                org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(), "reads").setParallelism(1);
        tables.createTemporaryView("chunks", tables.fromDataStream(reads));
        Table result = tables.sqlQuery(QUERY);
        tables.toDataStream(result).map(ReadRow::line).returns(Types.STRING)
                .sinkTo(new CommittingCollectSink(run, "sql"));
        StreamGraph graph = env.getStreamGraph();
        if (savepoint != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        }
        return env.executeAsync(graph);
    }

    private static StreamTableEnvironment tables(StreamExecutionEnvironment env) {
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        ModelSpec spec = ModelSpec.of(modelDir()).withEngine(EngineChoice.CPU).withChunkLength(16);
        tables.createTemporarySystemFunction("SCANFLOW_CLASSIFY", new ScanflowClassify(spec));
        return tables;
    }

    private static Path modelDir() {
        return Fixture.root().resolve("models").resolve("mamba1-tied");
    }

    /** The engine alone, per key: {@code key position label probability-bits}. */
    private static java.util.Map<String, List<String>> expected() {
        List<String> lines = new ArrayList<>();
        try (Reference reference = new Reference(modelDir())) {
            for (Prediction p : reference.classifyPerChunk(TestRecords.first(RECORDS, KEYS))) {
                lines.add(ReadRow.line(p.key(), p.position(), p.label(), p.probability()));
            }
        }
        return TestRecords.byKey(lines);
    }

    /** Record {@code i} of {@link TestRecords} as a row of the {@code reads} table. */
    static final class RowAt implements GeneratorFunction<Long, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public Row map(Long index) {
            return ReadRow.of(TestRecords.at(index, KEYS));
        }
    }

    /** The {@code reads} table's rows and the query's output lines. */
    static final class ReadRow {
        static final TypeInformation<Row> TYPE = Types.ROW_NAMED(new String[] {"key", "tokens", "end_of_stream"},
                Types.STRING, Types.OBJECT_ARRAY(Types.INT), Types.BOOLEAN);

        private ReadRow() {}

        static Row of(ScanInput r) {
            Integer[] tokens = Arrays.stream(r.tokens()).boxed().toArray(Integer[]::new);
            return Row.of(r.key(), tokens, r.endOfStream());
        }

        /** An output row, {@code key, position, label, probability}, as a line ({@link TestRecords#byKey} groups it). */
        static String line(Row row) {
            return line((String) row.getField(0), (Long) row.getField(1), (Integer) row.getField(2),
                    (Float) row.getField(3));
        }

        static String line(String key, long position, int label, float probability) {
            return "S " + key + " " + position + " " + label + " " + Integer.toHexString(Float.floatToRawIntBits(probability));
        }
    }
}
