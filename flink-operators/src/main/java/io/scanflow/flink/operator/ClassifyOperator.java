package io.scanflow.flink.operator;

import io.scanflow.flink.Classify;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.Prediction;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.state.KeyState;
import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.Sampler;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Classification: the most likely next token and its probability, per chunk, per window or at end of stream. */
final class ClassifyOperator extends ModelOperator<Prediction> {
    private static final long serialVersionUID = 1L;

    private final Classify mode;

    ClassifyOperator(StreamOperatorParameters<Prediction> parameters, ModelSpec spec, ScanOptions options, Classify mode) {
        super(parameters, spec, options, 0L);
        this.mode = mode;
    }

    @Override
    protected Output outputKind() {
        return Output.LAST_LOGITS;
    }

    @Override
    protected int pieceEnd(KeyEntry e, ScanInput r, int from) {
        if (mode.emit() != Classify.Emit.WINDOW) {
            return rows(r);
        }
        // Split at the window end so the prediction is taken at exactly the window's last token.
        long window = mode.windowTokens();
        long untilEnd = window - engine.position(e.slot) % window;
        return (int) Math.min(rows(r), from + untilEnd);
    }

    @Override
    protected void onChunk(KeyEntry e, ScanInput r, long timestamp, float[] logits, boolean recordDone) {
        long position = engine.position(e.slot);
        switch (mode.emit()) {
            case CHUNK:
                if (recordDone) {
                    emit(predict(e.key, position, logits, r.eventTime(), Prediction.Trigger.CHUNK), timestamp);
                }
                break;
            case WINDOW:
                if (position % mode.windowTokens() == 0) {
                    emit(predict(e.key, position, logits, r.eventTime(), Prediction.Trigger.WINDOW), timestamp);
                }
                break;
            default:
                if (recordDone) {
                    Prediction p = predict(e.key, position, logits, r.eventTime(), Prediction.Trigger.END_OF_STREAM);
                    e.last = new KeyState.LastPrediction(position, p.label(), p.probability(), p.logits());
                }
                break;
        }
    }

    @Override
    protected void onEndOfStream(KeyEntry e, ScanInput r, long timestamp) throws Exception {
        if (mode.emit() == Classify.Emit.END_OF_STREAM && e.last != null) {
            KeyState.LastPrediction p = e.last;
            emit(new Prediction(e.key, p.position(), p.label(), p.probability(), p.logits(), r.eventTime(),
                    Prediction.Trigger.END_OF_STREAM), timestamp);
        }
        super.onEndOfStream(e, r, timestamp);
    }

    private Prediction predict(String key, long position, float[] logits, long eventTime, Prediction.Trigger trigger) {
        int vocab = logits.length;
        int label = Sampler.argmax(logits, 0, vocab);
        float max = logits[label];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((double) logits[i] - max);
        }
        return new Prediction(key, position, label, (float) (1.0 / sum), mode.logits() ? logits.clone() : null,
                eventTime, trigger);
    }
}
