package io.scanflow.jobs.audio;

import io.scanflow.audio.classify.AudioInput;
import io.scanflow.audio.classify.WindowPrediction;
import io.scanflow.flink.Embedding;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The classification head on a window's pooled embedding. The window is identified by the embedding's
 * event time, which {@link AudioClassifyJob} sets to the window's start in milliseconds.
 */
final class ApplyAudioHead extends RichMapFunction<Embedding, WindowPrediction> {
    private static final long serialVersionUID = 1L;
    private final String modelDirectory;
    private transient ClassificationHead head;
    private transient AudioInput input;

    ApplyAudioHead(Path modelDirectory) {
        this.modelDirectory = modelDirectory.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        head = ClassificationHeads.load(Path.of(modelDirectory));
        input = AudioInput.load(Path.of(modelDirectory));
    }

    @Override
    public WindowPrediction map(Embedding e) {
        float[] p = head.probabilities(e.vector());
        WindowPrediction r = new WindowPrediction();
        r.stream = e.key();
        r.window = (int) Math.round(e.eventTime() / (input.hopSeconds() * 1000));
        r.startSeconds = r.window * (double) input.hopSamples() / input.sampleRate();
        r.endSeconds = r.startSeconds + (double) input.windowSamples() / input.sampleRate();
        r.label = ClassificationHead.argmax(p);
        r.labelName = head.labels().get(r.label);
        r.probability = p[r.label];
        r.probabilities = p;
        return r;
    }
}
