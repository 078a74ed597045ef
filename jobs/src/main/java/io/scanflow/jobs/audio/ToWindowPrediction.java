package io.scanflow.jobs.audio;

import io.scanflow.audio.classify.AudioInput;
import io.scanflow.audio.classify.WindowPrediction;
import io.scanflow.flink.HeadPrediction;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * The head's call for a window as a {@link WindowPrediction}. The window is identified by the call's
 * event time, which {@link AudioClassifyJob} sets to the window's start in milliseconds.
 */
final class ToWindowPrediction extends RichMapFunction<HeadPrediction, WindowPrediction> {
    private static final long serialVersionUID = 1L;
    private final String modelDirectory;
    private transient AudioInput input;

    ToWindowPrediction(Path modelDirectory) {
        this.modelDirectory = modelDirectory.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        input = AudioInput.load(Path.of(modelDirectory));
    }

    @Override
    public WindowPrediction map(HeadPrediction p) {
        WindowPrediction r = new WindowPrediction();
        r.stream = p.key();
        r.window = (int) Math.round(p.eventTime() / (input.hopSeconds() * 1000));
        r.startSeconds = r.window * (double) input.hopSamples() / input.sampleRate();
        r.endSeconds = r.startSeconds + (double) input.windowSamples() / input.sampleRate();
        r.label = p.labelIndex();
        r.labelName = p.label();
        r.probability = p.probability();
        r.probabilities = p.probabilities();
        return r;
    }
}
