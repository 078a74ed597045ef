package io.scanflow.genomics.source;

import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SAMRecordIterator;
import htsjdk.samtools.SamReader;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.Regions;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a whole SAM, CRAM (or unsplittable BAM) file in order, or the records of an indexed BAM or
 * CRAM that overlap {@link ReadOptions#regions()}; the position counts records read,
 * and a restore skips that many. A SAM line htsjdk cannot parse is reported and reading goes on
 * with the next line; a failure of the container (BGZF, CRAM) ends the file.
 */
final class AlignmentRecordCursor implements SplitCursor {
    private final String file;
    private final SamReader reader;
    private final SAMRecordIterator records;
    private final boolean lineBased;
    private long position;
    private long ordinal;
    private String lastRead;
    private boolean failed;

    AlignmentRecordCursor(GenomicsSplit split, ReadOptions options) throws IOException {
        this.file = Cursors.fileName(split);
        this.ordinal = split.ordinal();
        this.lineBased = split.format() == io.scanflow.genomics.io.GenomicsFormat.SAM;
        this.reader = Readers.openAlignments(Path.of(split.path()), options.reference());
        // With regions, only the records overlapping them, through the file's index.
        this.records = options.regions().isEmpty() ? reader.iterator()
                : reader.queryOverlapping(Regions.intervals(options.regions(), reader.getFileHeader(), file));
        for (long i = 0; i < split.position(); i++) {
            records.next();
            position++;
        }
    }

    @Override
    public SourceRecord next() {
        while (!failed) {
            SAMRecord rec;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                rec = records.next();
            } catch (RuntimeException e) {
                position++;
                ordinal++;
                failed = !lineBased;
                String where = lastRead == null ? "#" + position : "after read " + lastRead;
                String field = lineBased ? "record" : AlignmentRecords.blockOrRecord(e);
                BadInput bad = new BadInput(file, lineBased ? "#" + position : where, field, AlignmentRecords.describe(e));
                // A SAM line costs itself; a broken container ends the file.
                return SourceRecord.of(lineBased ? bad : bad.lost(BadInput.UNKNOWN, false));
            }
            position++;
            lastRead = rec.getReadName();
            SourceRecord out = AlignmentRecords.checked(file, rec, ordinal);
            if (out == null) {
                continue;
            }
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
        records.close();
        reader.close();
    }
}
