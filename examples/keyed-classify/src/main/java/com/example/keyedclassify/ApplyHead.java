package com.example.keyedclassify;

import io.scanflow.flink.Embedding;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** The model's classification head ({@code head.json}) on a read's pooled state: {@code read, sample, label, p}. */
final class ApplyHead extends RichMapFunction<Embedding, String> {
    private static final long serialVersionUID = 1L;
    private final String modelDirectory;
    private transient ClassificationHead head;

    ApplyHead(Path modelDirectory) {
        this.modelDirectory = modelDirectory.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext context) {
        head = ClassificationHeads.load(Path.of(modelDirectory));
    }

    @Override
    public String map(Embedding read) {
        float[] p = head.probabilities(read.vector());
        int best = ClassificationHead.argmax(p);
        String[] sampleAndRead = read.key().split("/", 2);
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%.4f", sampleAndRead[1], sampleAndRead[0],
                head.labels().get(best), p[best]);
    }
}
