package io.scanflow.audio.detect;

import io.scanflow.audio.classify.AudioInput;
import io.scanflow.audio.classify.WindowFeatures;
import io.scanflow.audio.source.AudioChunk;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per stream (keyed by stream), finds the spoken words as the chunks arrive ({@link SpeechDetector}) and
 * turns the window around each into the classifier's feature frames ({@link WindowFeatures}). The
 * detector's state (noise floor, the word being heard, the samples a window still needs) is keyed state,
 * checkpointed with the source's sample offset, so a restored job finds the same words.
 */
public final class SpeechWindowFunction extends KeyedProcessFunction<String, AudioChunk, SpeechWindow> {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private transient AudioInput input;
    private transient WindowFeatures features;
    private transient SpeechDetector detector;
    private transient ValueState<DetectorState> state;

    public SpeechWindowFunction(Path modelDir) {
        this.modelDir = modelDir.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        input = AudioInput.load(Path.of(modelDir));
        features = new WindowFeatures(input);
        detector = new SpeechDetector(DetectorSettings.forInput(input));
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("speech-detector",
                TypeInformation.of(DetectorState.class)));
    }

    @Override
    public void processElement(AudioChunk chunk, Context ctx, Collector<SpeechWindow> out) throws Exception {
        DetectorState s = state.value() == null ? new DetectorState() : state.value();
        if (chunk.firstSample != s.position) {
            throw new IllegalStateException("stream " + chunk.stream + ": chunk at sample " + chunk.firstSample
                    + " follows sample " + s.position + " (chunks of a stream must arrive in order, without gaps)");
        }
        detector.feed(s, chunk.samples, chunk.last, word -> out.collect(window(chunk.stream, word)));
        if (chunk.last) {
            state.clear();
        } else {
            state.update(s);
        }
    }

    private SpeechWindow window(String stream, SpeechSegment word) {
        SpeechWindow w = new SpeechWindow();
        w.stream = stream;
        w.index = word.index();
        w.startSeconds = (double) word.startSample() / input.sampleRate();
        w.endSeconds = (double) word.endSample() / input.sampleRate();
        w.features = features.of(word.window());
        return w;
    }
}
