package io.scanflow.flink.novector;

import io.scanflow.flink.Classify;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Render;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.TestRecords;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * A user's classify job on embedded Flink, run by {@link NoVectorModuleITCase} in a JVM started without
 * the Vector API module: prints each prediction as a {@link Render} line on stdout.
 */
public final class NoVectorModuleJob {
    private NoVectorModuleJob() {}

    /** Arguments: model folder, record count, key count. */
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        int keys = Integer.parseInt(args[2]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<ScanInput> input = env.fromData(TestRecords.first(records, keys), TypeInformation.of(ScanInput.class));
        ModelSpec spec = ModelSpec.of(model).withEngine(EngineChoice.CPU).withChunkLength(16);
        try (CloseableIterator<?> out = ScanOperators.predictNextToken(ScanOperators.keyByStream(input), spec,
                Classify.perChunk()).executeAndCollect()) {
            out.forEachRemaining(p -> System.out.println(Render.line(p)));
        }
    }
}
