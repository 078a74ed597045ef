package io.scanflow.genomics.source;

import htsjdk.samtools.reference.ReferenceSequence;
import htsjdk.samtools.reference.ReferenceSequenceFile;
import htsjdk.samtools.reference.ReferenceSequenceFileFactory;
import io.scanflow.genomics.io.FastaWindows;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a FASTA that has no random access (gzipped) in order, one record at a time, numbering its
 * windows as {@link FastaWindows} does; a restore skips windows before the position.
 */
final class SequentialFastaCursor implements SplitCursor {
    private final String file;
    private final ReferenceSequenceFile fasta;
    private final ReadOptions options;
    private final long end;
    private long position;
    private long ordinal;
    private long next;
    private String record;
    private String bases;
    private List<int[]> recordWindows;
    private int windowInRecord;

    SequentialFastaCursor(GenomicsSplit split, ReadOptions options) {
        this.file = Cursors.fileName(split);
        this.fasta = ReferenceSequenceFileFactory.getReferenceSequenceFile(Path.of(split.path()), true, false);
        this.options = options;
        this.end = split.end();
        this.position = split.position();
        this.ordinal = split.ordinal();
    }

    @Override
    public SourceRecord next() {
        while (position < end) {
            if (recordWindows == null || windowInRecord == recordWindows.size()) {
                ReferenceSequence seq;
                try {
                    seq = fasta.nextSequence();
                } catch (RuntimeException e) {
                    // A truncated or corrupt .fa.gz: the sequences before it were emitted; report it and stop.
                    position = end;
                    ordinal++;
                    return SourceRecord.of(new BadInput(file, record == null ? "#1" : "after " + record, "data",
                            "the file ends early or is corrupt (" + AlignmentRecords.describe(e)
                                    + "); the rest of the file is not read").lost(BadInput.UNKNOWN, false));
                }
                if (seq == null) {
                    return null;
                }
                record = seq.getName();
                bases = new String(seq.getBases(), StandardCharsets.US_ASCII);
                recordWindows = FastaWindows.of(bases.length(), options.window(), options.stride());
                windowInRecord = 0;
            }
            int[] w = recordWindows.get(windowInRecord++);
            long number = next++;
            if (number < position) {
                continue;
            }
            position = number + 1;
            String id = recordWindows.size() == 1 && w[0] == 0 ? record : record + ":" + (w[0] + 1) + "-" + w[1];
            SourceRecord out = Cursors.readOrBad(file, id, file, bases.substring(w[0], w[1]), ordinal, "sequence");
            ordinal++;
            return out;
        }
        return null;
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
