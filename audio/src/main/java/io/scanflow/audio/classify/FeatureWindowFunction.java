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
 * Cuts each stream (keyed by stream) into the classifier's windows as its samples arrive and turns each
 * window into feature frames ({@link WindowFeatures}): {@code window} samples every {@code hop} ({@link AudioInput#windows}), the
 * last one zero-padded, at least one per stream. The keyed state is the samples not yet covered by a
 * finished window and the next window's number; both are checkpointed, so a restored job makes the same
 * windows.
 */
public final class FeatureWindowFunction extends KeyedProcessFunction<String, AudioChunk, FeatureWindow> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private transient AudioInput input;
    private transient WindowFeatures features;
    private transient ValueState<float[]> pending;
    private transient ValueState<Integer> nextWindow;

    public FeatureWindowFunction(Path modelDir) {
        this.modelDir = modelDir.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        input = AudioInput.load(Path.of(modelDir));
        features = new WindowFeatures(input);
        pending = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-samples",
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        nextWindow = getRuntimeContext().getState(new ValueStateDescriptor<>("next-window", Types.INT));
    }

    @Override
    public void processElement(AudioChunk chunk, Context ctx, Collector<FeatureWindow> out) throws Exception {
        int w = input.windowSamples();
        int hop = input.hopSamples();
        int index = nextWindow.value() == null ? 0 : nextWindow.value();
        float[] buf = pending.value() == null ? new float[0] : pending.value();
        // joined[0] is stream sample index * hop; it runs to the end of this chunk.
        float[] joined = Arrays.copyOf(buf, buf.length + chunk.samples.length);
        System.arraycopy(chunk.samples, 0, joined, buf.length, chunk.samples.length);
        int consumed = 0;
        if (!chunk.last) {
            while (joined.length - consumed >= w) {
                out.collect(window(chunk.stream, index++, joined, consumed, false));
                consumed += hop;
            }
            pending.update(Arrays.copyOfRange(joined, consumed, joined.length));
            nextWindow.update(index);
            return;
        }
        long length = (long) index * hop + joined.length; // the whole stream
        int count = input.windows(length);
        while (index < count) {
            out.collect(window(chunk.stream, index, joined, consumed, index == count - 1));
            index++;
            consumed += hop;
        }
        pending.clear();
        nextWindow.clear();
    }

    private FeatureWindow window(String stream, int index, float[] samples, int offset, boolean last) {
        int w = input.windowSamples();
        float[] window = new float[w]; // zero-padded past the end of the stream
        System.arraycopy(samples, offset, window, 0, Math.max(0, Math.min(w, samples.length - offset)));
        FeatureWindow f = new FeatureWindow();
        f.stream = stream;
        f.window = index;
        f.startSeconds = (double) index * input.hopSamples() / input.sampleRate();
        f.endSeconds = f.startSeconds + (double) w / input.sampleRate();
        f.features = features.of(window);
        f.last = last;
        return f;
    }
}
