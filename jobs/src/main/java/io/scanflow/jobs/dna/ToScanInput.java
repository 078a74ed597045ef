package io.scanflow.jobs.dna;

import io.scanflow.flink.ScanInput;
import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.tokenizer.DnaTokenizer;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import org.apache.flink.api.common.functions.MapFunction;

/** A read as one whole chunk of its own stream (the key ends with it): the bases as token ids. */
final class ToScanInput implements MapFunction<DnaRead, ScanInput> {
    private static final long serialVersionUID = 1L;
    private final DnaTokenizer tokenizer;

    ToScanInput(DnaVocabulary vocabulary) {
        this.tokenizer = new DnaTokenizer(vocabulary);
    }

    @Override
    public ScanInput map(DnaRead read) {
        return ScanInput.lastTokens(ReadKeys.of(read.file(), read.sample(), read.id()), 0L, tokenizer.ids(read.bases()));
    }
}
