package io.scanflow.flink.sql;

import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.engine.EngineSettings;
import io.scanflow.flink.engine.Engines;
import io.scanflow.flink.engine.ModelLease;
import io.scanflow.flink.engine.SharedModels;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.Sampler;
import java.util.List;
import org.apache.flink.table.annotation.ArgumentHint;
import org.apache.flink.table.annotation.ArgumentTrait;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.StateHint;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.types.Row;

/**
 * ScanFlow's classify as a Flink SQL process table function: each partition of the input table is one
 * stream, its recurrent model state is the function's state (Flink managed keyed state, checkpointed and
 * restored with the job), and every row is a chunk of the stream that yields one prediction, exactly as
 * {@link io.scanflow.flink.Classify#perChunk()} in the DataStream API.
 *
 * <pre>
 * tableEnv.createTemporarySystemFunction("SCANFLOW_CLASSIFY", new ScanflowClassify(ModelSpec.of(modelDir)));
 * SELECT * FROM TABLE(SCANFLOW_CLASSIFY(input =&gt; TABLE chunks PARTITION BY sample_id));
 * </pre>
 *
 * <p>Input columns: {@code tokens ARRAY<INT>} (the chunk's token ids), optionally {@code end_of_stream
 * BOOLEAN} (true ends the partition's stream after this row: its state is cleared, so the next row starts
 * fresh). Output: the partition columns, then {@code position} (tokens of the stream consumed),
 * {@code label} (most likely next token) and {@code probability} (its softmax probability). A row whose
 * tokens the model cannot take fails the query with a message naming the row and the field.
 *
 * <p>Rows are run one at a time (Flink calls the function per row), each as one engine call; the
 * DataStream operator bundles rows of many keys into one call and is the faster path for large models.
 */
@DataTypeHint("ROW<position BIGINT, label INT, probability FLOAT>")
public final class ScanflowClassify extends ProcessTableFunction<Row> {
    private static final long serialVersionUID = 1L;
    /** The name of the table argument. */
    public static final String INPUT = "input";

    private final ModelSpec spec;
    private transient ModelLease lease;
    private transient Engine engine;
    private transient int slot;
    private transient float[][] logits;
    /** Found from the table argument's type on the first row. */
    private transient TokenColumn columns;

    /**
     * A function running {@code spec}'s model. Each parallel instance has its own engine; with
     * {@link ModelSpec#AUTO_THREADS} the CPU engine runs on the task's thread alone (a function does not see
     * the TaskManager's configuration; set {@link ModelSpec#withThreads} for more).
     */
    public ScanflowClassify(ModelSpec spec) {
        this.spec = spec;
    }

    /** A partition's stream state: the engine's versioned state bytes, absent before the first row. */
    public static final class StreamState {
        /** {@link Engine#saveSlot} bytes after the partition's last row. */
        public byte[] model;
    }

    @Override
    public void open(FunctionContext context) {
        lease = SharedModels.acquire(spec.directory());
        int threads = spec.threads() == ModelSpec.AUTO_THREADS ? 1 : spec.threads();
        engine = Engines.create(spec.engine(), lease.model(),
                new EngineSettings(threads, spec.chunkLength(), List.of(), 0, spec.directory(), 1));
        slot = engine.openSlot();
        logits = new float[1][engine.model().vocabSize()];
    }

    /** One chunk of the partition's stream: feeds it on from the stored state and emits the prediction. */
    public void eval(Context context, @StateHint StreamState state,
                     @ArgumentHint(value = ArgumentTrait.SET_SEMANTIC_TABLE, name = INPUT) Row input) {
        if (columns == null) {
            columns = TokenColumn.of(context.tableSemanticsFor(INPUT).dataType(), engine.model().vocabSize());
        }
        int[] tokens = columns.tokens(input);
        if (state.model == null) {
            engine.resetSlot(slot);
        } else {
            engine.loadSlot(slot, state.model);
        }
        engine.prefill(new int[] {slot}, new int[][] {tokens}, Output.LAST_LOGITS, logits);
        float[] row = logits[0];
        int label = Sampler.argmax(row, 0, row.length);
        double sum = 0;
        for (float l : row) {
            sum += Math.exp((double) l - row[label]);
        }
        collect(Row.of(engine.position(slot), label, (float) (1.0 / sum)));
        if (columns.endsStream(input)) {
            context.clearAllState();
        } else {
            state.model = engine.saveSlot(slot);
        }
    }

    @Override
    public void close() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            if (lease != null) {
                lease.close();
            }
        }
    }
}
