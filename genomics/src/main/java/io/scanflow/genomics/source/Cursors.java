package io.scanflow.genomics.source;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.InputRole;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.tokenizer.DnaTokenizer;
import io.scanflow.genomics.tokenizer.DnaVocabulary;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Opens the cursor for a split: the one factory that maps a format and a unit to a reader. */
public final class Cursors {
    private static final DnaTokenizer CHECK = new DnaTokenizer(DnaVocabulary.standard());

    private Cursors() {
    }

    /** A cursor over {@code split}, at the split's position, for the split's format. */
    public static SplitCursor open(GenomicsSplit split, ReadOptions options) throws IOException {
        SplitCursor cursor = openFormat(split, options);
        InputRole role = options.roles().get(split.path());
        return role == null ? cursor : new RoleCursor(cursor, role);
    }

    private static SplitCursor openFormat(GenomicsSplit split, ReadOptions options) throws IOException {
        Path file = Path.of(split.path());
        Optional<BadInput> magic = Readers.checkMagic(file, split.format());
        if (magic.isPresent()) {
            BadInput b = magic.get();
            return new OneBadRecord(split, new BadInput(split.name(), b.record(), b.field(), b.problem()).lost(BadInput.UNKNOWN, false));
        }
        switch (split.unit()) {
            case VIRTUAL_OFFSET:
                return new BamCursor(split, options);
            case WINDOW:
                return Readers.randomAccessFasta(file) ? new FastaCursor(split, options) : new SequentialFastaCursor(split, options);
            default:
                return split.format() == io.scanflow.genomics.io.GenomicsFormat.FASTQ
                        ? new FastqCursor(split) : new AlignmentRecordCursor(split, options);
        }
    }

    /**
     * A read, or bad input when it has no bases or a character that is not a nucleotide code.
     *
     * @param field the format's name for the bases field ({@code SEQ} for SAM, {@code sequence} for FASTA/FASTQ)
     */
    public static SourceRecord readOrBad(String file, String id, String sample, String bases, long ordinal, String field) {
        if (bases == null || bases.isEmpty()) {
            return SourceRecord.of(new BadInput(file, id, field, "expected bases, found none"
                    + ("SEQ".equals(field) ? " (SEQ is '*')" : "")));
        }
        for (int i = 0; i < bases.length(); i++) {
            char c = bases.charAt(i);
            if (CHECK.idOf(c) < 0) {
                return SourceRecord.of(new BadInput(file, id, field,
                        new io.scanflow.genomics.tokenizer.UnknownBaseException(i, c).getMessage()));
            }
        }
        return SourceRecord.of(new DnaRead(file, id, sample, bases, ordinal));
    }

    /** The input's name in records: unique among the job's inputs. */
    static String fileName(GenomicsSplit split) {
        return split.name();
    }

    /** A file that failed its magic check: one bad record, then the end. */
    static final class OneBadRecord implements SplitCursor {
        private final GenomicsSplit split;
        private final BadInput bad;
        private boolean done;

        OneBadRecord(GenomicsSplit split, BadInput bad) {
            this.split = split;
            this.bad = bad;
            this.done = split.ordinal() > 0;
        }

        @Override
        public SourceRecord next() {
            if (done) {
                return null;
            }
            done = true;
            return SourceRecord.of(bad);
        }

        @Override
        public long position() {
            return done ? split.end() : split.position();
        }

        @Override
        public long ordinal() {
            return done ? 1 : 0;
        }

        @Override
        public void close() {
        }
    }
}
