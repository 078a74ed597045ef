package io.scanflow.flink.operator;

import io.scanflow.flink.Embed;
import io.scanflow.flink.Embedding;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.kernels.Output;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Embedding: one vector per chunk, the last token's final hidden state or the chunk's mean. */
final class EmbedOperator extends ModelOperator<Embedding> {
    private static final long serialVersionUID = 1L;

    private final Embed mode;

    EmbedOperator(StreamOperatorParameters<Embedding> parameters, ModelSpec spec, ScanOptions options, Embed mode) {
        super(parameters, spec, options, 0L);
        this.mode = mode;
    }

    @Override
    protected Output outputKind() {
        return mode.mean() ? Output.MEAN_HIDDEN : Output.LAST_HIDDEN;
    }

    @Override
    protected void onChunk(KeyEntry e, ScanInput r, long timestamp, float[] hidden, boolean recordDone) {
        emit(new Embedding(e.key, engine.position(e.slot), hidden.clone(), r.eventTime()), timestamp);
    }
}
