package io.scanflow.genomics.source;

import htsjdk.samtools.BAMFileSpan;
import htsjdk.samtools.Chunk;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SAMRecordIterator;
import htsjdk.samtools.SamReader;
import io.scanflow.genomics.io.BadInput;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the BAM records that start in the split's virtual-offset range [position, end), through
 * htsjdk's span iterator. After each record the position is that record's end offset, which is
 * the next record's start: a restore continues exactly there.
 */
final class BamCursor implements SplitCursor {
    private final GenomicsSplit split;
    private final String file;
    private final SamReader reader;
    private final SAMRecordIterator records;
    private long position;
    private long ordinal;
    private String lastRead;
    private boolean failed;

    BamCursor(GenomicsSplit split, ReadOptions options) {
        this.split = split;
        this.file = Cursors.fileName(split);
        this.position = split.position();
        this.ordinal = split.ordinal();
        this.reader = Readers.openAlignments(Path.of(split.path()), options.reference());
        this.records = reader.indexing().iterator(new BAMFileSpan(new Chunk(split.position(), split.end())));
    }

    @Override
    public SourceRecord next() {
        while (!failed) {
            SAMRecord rec;
            try {
                if (!records.hasNext()) {
                    position = split.end();
                    return null;
                }
                rec = records.next();
            } catch (RuntimeException e) {
                // A truncated or corrupt BGZF block: nothing after it can be trusted; report and stop.
                failed = true;
                position = split.end();
                ordinal++;
                return SourceRecord.of(new BadInput(file, lastRead == null ? "#" + ordinal : "after read " + lastRead,
                        AlignmentRecords.blockOrRecord(e), AlignmentRecords.describe(e)));
            }
            BAMFileSpan span = (BAMFileSpan) rec.getFileSource().getFilePointer();
            position = span.getChunks().get(span.getChunks().size() - 1).getChunkEnd();
            lastRead = rec.getReadName();
            if (AlignmentRecords.skip(rec)) {
                continue;
            }
            SourceRecord out = AlignmentRecords.toRecord(file, rec, ordinal);
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
