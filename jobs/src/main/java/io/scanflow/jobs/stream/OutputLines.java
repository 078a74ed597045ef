package io.scanflow.jobs.stream;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.engine.Engines;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.accumulators.IntCounter;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Turns model outputs into tab-separated lines, counts them and reports, through accumulators, what
 * ran them: the engine backend each subtask resolved ({@value #ENGINE_PREFIX}{@code <backend>}: subtasks)
 * and the GPU indexes Flink's external resource framework handed to its TaskManager
 * ({@value #GPUS}).
 *
 * <p>Lines, one per output, the key first:
 * <ul>
 *   <li>{@link Prediction}: {@code key, position, label, probability, trigger}</li>
 *   <li>{@link GeneratedToken}: {@code key, session, index, position, token, last}</li>
 * </ul>
 * Floats print as {@link Float#toString}, the shortest text that reads back to the same bits, so
 * equal outputs give equal bytes.
 */
public final class OutputLines<T> extends RichMapFunction<T, String> {
    private static final long serialVersionUID = 1L;

    /** Accumulator: outputs so far (of the current attempt of each subtask). */
    public static final String OUTPUTS = "scanflow-outputs";
    /** Accumulator name prefix: subtasks per engine backend. */
    public static final String ENGINE_PREFIX = "scanflow-engine-";
    /** Accumulator: GPU indexes seen by the subtasks ({@code external-resources: gpu}). */
    public static final String GPUS = "scanflow-gpus";

    private final String run;
    private final EngineChoice engine;
    private transient LongCounter outputs;
    private transient AtomicLong local;

    /**
     * @param run    the run's id, under which this JVM's {@link Progress} counts
     * @param engine the engine choice of the model operator, resolved again here to report it
     */
    public OutputLines(String run, EngineChoice engine) {
        this.run = run;
        this.engine = engine;
    }

    @Override
    public void open(OpenContext openContext) {
        // The same resolution, on the same class path, as the model operator's in this TaskManager.
        String backend = Engines.resolve(engine, Engines.providers()).backend();
        getRuntimeContext().addAccumulator(ENGINE_PREFIX + backend, new IntCounter(1));
        ListAccumulator<String> gpus = new ListAccumulator<>();
        for (String index : gpuIndexes()) {
            gpus.add(index);
        }
        getRuntimeContext().addAccumulator(GPUS, gpus);
        outputs = new LongCounter();
        getRuntimeContext().addAccumulator(OUTPUTS, outputs);
        local = Progress.counter(run);
    }

    private List<String> gpuIndexes() {
        List<String> indexes = new ArrayList<>();
        try {
            for (ExternalResourceInfo info : getRuntimeContext().getExternalResourceInfos("gpu")) {
                info.getProperty("index").ifPresent(indexes::add);
            }
        } catch (RuntimeException e) {
            // No external resource framework in this runtime: no GPUs to report.
        }
        return indexes;
    }

    @Override
    public String map(T value) {
        outputs.add(1L);
        local.incrementAndGet();
        return line(value);
    }

    /** The line of one output. */
    public static String line(Object o) {
        if (o instanceof Prediction p) {
            return p.key() + "\t" + p.position() + "\t" + p.label() + "\t" + p.probability() + "\t"
                    + p.trigger().name().toLowerCase();
        }
        if (o instanceof GeneratedToken g) {
            return g.key() + "\t" + g.session() + "\t" + g.index() + "\t" + g.position() + "\t" + g.token() + "\t"
                    + g.last();
        }
        throw new IllegalArgumentException("not a model output: " + o);
    }
}
