package io.scanflow.audio.classify;

import io.scanflow.audio.source.AudioChunk;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Classifies each stream window by window, as its samples arrive (keyed by stream). Windows are those of
 * {@link AudioClassifier#windowStarts}: {@code window} samples every {@code hop}, the last one zero-padded,
 * at least one per stream. Each window runs from a fresh model state, so the only keyed state is the
 * samples not yet covered by a finished window and the next window's number; both are checkpointed, and a
 * restored job continues with the same windows.
 *
 * <p>The model runs inside this function (one small CPU engine per subtask) rather than in the shared
 * keyed model operator, whose execution path takes token chunks only.
 */
public final class WindowClassifierFunction extends KeyedProcessFunction<String, AudioChunk, WindowPrediction> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private transient AudioClassifier classifier;
    private transient ValueState<float[]> pending;
    private transient ValueState<Integer> nextWindow;

    public WindowClassifierFunction(Path modelDir) {
        this.modelDir = modelDir.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        classifier = AudioClassifier.load(Path.of(modelDir));
        pending = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-samples",
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        nextWindow = getRuntimeContext().getState(new ValueStateDescriptor<>("next-window", Types.INT));
    }

    @Override
    public void processElement(AudioChunk chunk, Context ctx, Collector<WindowPrediction> out) throws Exception {
        int w = classifier.head().windowSamples();
        int hop = classifier.head().hopSamples();
        int index = nextWindow.value() == null ? 0 : nextWindow.value();
        float[] buf = pending.value() == null ? new float[0] : pending.value();
        // buf holds the stream from sample index * hop up to the end of this chunk.
        float[] joined = Arrays.copyOf(buf, buf.length + chunk.samples.length);
        System.arraycopy(chunk.samples, 0, joined, buf.length, chunk.samples.length);
        int consumed = 0;
        while (joined.length - consumed >= w) {
            out.collect(predict(chunk.stream, index++, joined, consumed));
            consumed += hop;
        }
        if (chunk.last) {
            long length = (long) index * hop - consumed + joined.length; // total stream samples
            while (index == 0 || (long) (index - 1) * hop + w < length) {
                out.collect(predict(chunk.stream, index++, joined, consumed));
                consumed += hop;
            }
            pending.clear();
            nextWindow.clear();
            return;
        }
        pending.update(Arrays.copyOfRange(joined, Math.min(consumed, joined.length), joined.length));
        nextWindow.update(index);
    }

    private WindowPrediction predict(String stream, int index, float[] samples, int offset) {
        float[] p = offset >= samples.length
                ? classifier.classifyWindow(new float[0], 0)
                : classifier.classifyWindow(samples, offset);
        WindowPrediction r = new WindowPrediction();
        r.stream = stream;
        r.window = index;
        double rate = classifier.sampleRate();
        r.startSeconds = (double) index * classifier.head().hopSamples() / rate;
        r.endSeconds = r.startSeconds + classifier.head().windowSamples() / rate;
        r.label = AudioClassifier.argmax(p);
        r.labelName = classifier.head().labels().get(r.label);
        r.probability = p[r.label];
        r.probabilities = p;
        return r;
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.close();
        }
    }
}
