package io.scanflow.jobs.dna;

import io.scanflow.flink.Embedding;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** The classification head on a read's pooled embedding: the most probable label and its probability. */
final class ApplyHead extends RichMapFunction<Embedding, ReadPrediction> {
    private static final long serialVersionUID = 1L;
    private final String modelDirectory;
    private transient ClassificationHead head;
    private transient float[] probabilities;

    ApplyHead(Path modelDirectory) {
        this.modelDirectory = modelDirectory.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        head = ClassificationHeads.load(Path.of(modelDirectory));
        probabilities = new float[head.numLabels()];
    }

    @Override
    public ReadPrediction map(Embedding e) {
        head.logits(e.vector(), 0, probabilities);
        ClassificationHead.softmaxInPlace(probabilities);
        int best = ClassificationHead.argmax(probabilities);
        return new ReadPrediction(ReadKeys.readId(e.key()), ReadKeys.sample(e.key()), head.labels().get(best),
                probabilities[best], (int) e.position());
    }
}
