package com.example.keyedclassify;

import io.scanflow.flink.HeadPrediction;
import java.util.Locale;
import org.apache.flink.api.common.functions.MapFunction;

/** A read's call as a line: {@code read, sample, label, probability} (the key is {@code sample/read}). */
final class PredictionLine implements MapFunction<HeadPrediction, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String map(HeadPrediction p) {
        String[] sampleAndRead = p.key().split("/", 2);
        return String.format(Locale.ROOT, "%s\t%s\t%s\t%.4f", sampleAndRead[1], sampleAndRead[0], p.label(),
                p.probability());
    }
}
