package io.scanflow.genomics.source;

import htsjdk.samtools.reference.IndexedFastaSequenceFile;
import io.scanflow.genomics.io.FastaWindows;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads windows [position, end) of a plain FASTA by random access through its index ({@code .fai},
 * or one built in memory). Each window is one read; the sample is the file name.
 */
final class FastaCursor implements SplitCursor {
    private final GenomicsSplit split;
    private final String file;
    private final IndexedFastaSequenceFile fasta;
    private final FastaWindows windows;
    private final long end;
    private long position;
    private long ordinal;

    FastaCursor(GenomicsSplit split, ReadOptions options) throws IOException {
        this.split = split;
        this.file = Cursors.fileName(split);
        Path path = Path.of(split.path());
        var index = Readers.fastaIndex(path);
        this.fasta = new IndexedFastaSequenceFile(path, index);
        this.windows = new FastaWindows(index, options.window(), options.stride());
        this.end = Math.min(split.end(), windows.total());
        this.position = split.position();
        this.ordinal = split.ordinal();
    }

    @Override
    public SourceRecord next() {
        if (position >= end) {
            position = split.end() == GenomicsSplit.TO_END ? position : split.end();
            return null;
        }
        FastaWindows.Window w = windows.locate(position);
        String bases = w.end() > w.start()
                ? new String(fasta.getSubsequenceAt(w.record(), w.start() + 1, w.end()).getBases(), StandardCharsets.US_ASCII)
                : "";
        position++;
        SourceRecord out = Cursors.readOrBad(file, w.id(), file, bases, ordinal, "sequence");
        ordinal++;
        return out;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long ordinal() {
        return ordinal;
    }

    @Override
    public void close() throws IOException {
        fasta.close();
    }
}
