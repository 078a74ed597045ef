package io.scanflow.flink.operator;

import io.scanflow.flink.HeadPrediction;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.kernels.Output;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.head.Pooling;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Classification with the model's trained head: one {@link HeadPrediction} per record, from its pooled chunk. */
final class HeadClassifyOperator extends ModelOperator<HeadPrediction> {
    private static final long serialVersionUID = 1L;

    private transient ClassificationHead head;

    HeadClassifyOperator(StreamOperatorParameters<HeadPrediction> parameters, ModelSpec spec, ScanOptions options) {
        super(parameters, spec, options, 0L);
    }

    /** The head, read on first use: the operator asks for the pooled output before its mode is set up. */
    private ClassificationHead head() {
        if (head == null) {
            head = ClassificationHeads.load(lease.directory(), engine.model().hiddenSize());
        }
        return head;
    }

    @Override
    protected Output outputKind() {
        return head().pooling() == Pooling.LAST ? Output.LAST_HIDDEN : Output.MEAN_HIDDEN;
    }

    @Override
    protected void onChunk(KeyEntry e, ScanInput r, long timestamp, float[] pooled, boolean recordDone) {
        if (!recordDone) {
            return;
        }
        float[] p = head().probabilities(pooled);
        int best = ClassificationHead.argmax(p);
        emit(new HeadPrediction(e.key, engine.position(e.slot), head().labels().get(best), best, p[best], p,
                r.eventTime()), timestamp);
    }
}
