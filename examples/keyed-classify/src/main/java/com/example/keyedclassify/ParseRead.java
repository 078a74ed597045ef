package com.example.keyedclassify;

import io.scanflow.flink.ScanInput;
import io.scanflow.genomics.tokenizer.DnaTokenizer;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A line {@code sample, read, bases} as one ScanFlow record: key {@code sample/read}, the bases as the
 * model's token ids, and the end of the key's stream (each read is a stream of its own). The header is skipped.
 */
final class ParseRead implements FlatMapFunction<String, ScanInput> {
    private static final long serialVersionUID = 1L;
    private final DnaTokenizer tokenizer;

    ParseRead(DnaVocabulary vocabulary) {
        this.tokenizer = new DnaTokenizer(vocabulary);
    }

    @Override
    public void flatMap(String line, Collector<ScanInput> out) {
        if (line.isBlank() || line.startsWith("sample\t")) {
            return;
        }
        String[] fields = line.split("\t");
        if (fields.length != 3) {
            throw new IllegalArgumentException("expected 3 tab-separated fields (sample, read, bases), found "
                    + fields.length + " in line: " + line);
        }
        out.collect(ScanInput.lastTokens(fields[0] + "/" + fields[1], 0L, tokenizer.ids(fields[2])));
    }
}
