package io.scanflow.flink.sql;

import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.engine.ModelLease;
import io.scanflow.flink.engine.SharedModels;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.model.sampling.Sampler;
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
 *
 * <p>Flink 2.2 opens a process table function but never closes it (its operator has no {@code close}), so
 * the function holds nothing that needs closing: a CPU engine on the task's thread (no worker threads) over
 * a model whose {@link SharedModels} lease it gives back as soon as the engine exists. A GPU engine, whose
 * device memory would never be freed, is refused.
 */
@DataTypeHint("ROW<position BIGINT, label INT, probability FLOAT>")
public final class ScanflowClassify extends ProcessTableFunction<Row> {
    private static final long serialVersionUID = 1L;
    /** The name of the table argument. */
    public static final String INPUT = "input";

    private final ModelSpec spec;
    private transient Engine engine;
    private transient int slot;
    private transient float[][] logits;
    /** Found from the table argument's type on the first row. */
    private transient TokenColumn columns;

    /**
     * A function running {@code spec}'s model on the CPU engine, on the task's thread (see the class
     * comment); {@code spec}'s engine must be {@code cpu} or {@code auto}, its threads are not used.
     */
    public ScanflowClassify(ModelSpec spec) {
        if (spec.engine() == EngineChoice.CUDA) {
            throw new IllegalArgumentException("SCANFLOW_CLASSIFY runs on the CPU engine: Flink 2.2 never closes a "
                    + "process table function, so a CUDA engine's device memory would never be freed");
        }
        this.spec = spec;
    }

    /** A partition's stream state: the engine's versioned state bytes, absent before the first row. */
    public static final class StreamState {
        /** {@link Engine#saveSlot} bytes after the partition's last row. */
        public byte[] model;
    }

    @Override
    public void open(FunctionContext context) {
        try (ModelLease lease = SharedModels.acquire(spec.directory())) {
            engine = CpuEngine.withOwnPool(lease.model(), 1, spec.chunkLength());
        }
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

    /** Not called by Flink 2.2 (see the class comment); frees the engine's slots where a runtime does call it. */
    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
