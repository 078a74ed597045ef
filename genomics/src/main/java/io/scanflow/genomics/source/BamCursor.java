package io.scanflow.genomics.source;

import htsjdk.samtools.BAMFileSpan;
import htsjdk.samtools.BAMRecordCodec;
import htsjdk.samtools.Chunk;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SAMRecordIterator;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.util.BlockCompressedInputStream;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.model.io.BadInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * Reads the BAM records that start in the split's virtual-offset range [position, end), through
 * htsjdk's span iterator. After each record the position is that record's end offset, which is
 * the next record's start: a restore continues exactly there.
 *
 * <p>A corrupt or truncated BGZF block is one bad record, and reading resumes at the first record of
 * the next intact block ({@link BgzfResync}), as BGZF blocks are compressed independently: one damaged
 * block loses the reads in it, not every read after it.
 */
final class BamCursor implements SplitCursor {
    private final GenomicsSplit split;
    private final String file;
    private final Path path;
    private final SamReader reader;
    private SAMRecordIterator records;
    private long position;
    private long ordinal;
    private String lastRead;
    private boolean failed;
    private RuntimeException openFailure;
    /** Records decoded past a failure, and the bad record for it, with the position after each. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private record Pending(SourceRecord record, long positionAfter) {
    }

    BamCursor(GenomicsSplit split, ReadOptions options) {
        this.split = split;
        this.file = Cursors.fileName(split);
        this.position = split.position();
        this.ordinal = split.ordinal();
        this.path = Path.of(split.path());
        this.reader = Readers.openAlignments(path, options.reference());
        SAMRecordIterator opened = null;
        try {
            opened = reader.indexing().iterator(new BAMFileSpan(new Chunk(split.position(), split.end())));
        } catch (RuntimeException e) {
            // The block at the split's start is damaged (opening reads its first record): the first next() moves past it.
            openFailure = e;
        }
        this.records = opened;
    }

    @Override
    public SourceRecord next() {
        while (true) {
            Pending p = pending.poll();
            if (p != null) {
                position = p.positionAfter();
                return p.record();
            }
            if (failed) {
                return null;
            }
            if (openFailure != null) {
                RuntimeException e = openFailure;
                openFailure = null;
                damaged(e);
                continue;
            }
            SAMRecord rec;
            try {
                if (!records.hasNext()) {
                    position = split.end();
                    return null;
                }
                rec = records.next();
            } catch (RuntimeException e) {
                damaged(e);
                continue;
            }
            BAMFileSpan span = (BAMFileSpan) rec.getFileSource().getFilePointer();
            position = span.getChunks().get(span.getChunks().size() - 1).getChunkEnd();
            lastRead = rec.getReadName();
            SourceRecord out = AlignmentRecords.checked(file, rec, ordinal);
            if (out == null) {
                continue;
            }
            ordinal++;
            return out;
        }
    }

    /**
     * Reading failed at {@link #position}: the whole records left in that (intact) block, which
     * htsjdk's read-ahead into the damaged block lost, then one bad record naming the damage, then on
     * from the next intact block.
     */
    private void damaged(RuntimeException e) {
        salvage();
        ordinal++;
        String where = lastRead == null ? "#" + ordinal : "after read " + lastRead;
        long damagedBlock = position >>> 16;
        String how = resume();
        BadInput bad = new BadInput(file, where, AlignmentRecords.blockOrRecord(e), AlignmentRecords.describe(e) + how);
        pending.add(new Pending(SourceRecord.of(failed ? bad.lost(BadInput.UNKNOWN, false)
                : bad.lost(estimateLost(damagedBlock, position >>> 16), true)), position));
    }

    /**
     * The reads in the compressed bytes that reading skipped, [damagedBlock, resumedBlock), at the
     * file's compressed bytes per read before the damage (counted by one pass over the intact blocks
     * before it, which happens only when there is damage), at least 1: the read that ran into it.
     */
    private long estimateLost(long damagedBlock, long resumedBlock) {
        long firstBlock = -1;
        long reads = 0;
        try (SamReader counting = Readers.openAlignments(path, null); SAMRecordIterator it = counting.iterator()) {
            while (it.hasNext()) {
                long start = ((BAMFileSpan) it.next().getFileSource().getFilePointer()).getFirstOffset() >>> 16;
                if (start >= damagedBlock) {
                    break;
                }
                firstBlock = firstBlock < 0 ? start : firstBlock;
                reads++;
            }
        } catch (IOException | RuntimeException e) {
            // the damage itself ends the count
        }
        if (reads == 0 || damagedBlock <= firstBlock) {
            return BadInput.UNKNOWN;
        }
        return Math.max(1, Math.round((double) (resumedBlock - damagedBlock) * reads / (damagedBlock - firstBlock)));
    }

    /** Queues the records that start at {@link #position} and end in its block, decoded one by one. */
    private void salvage() {
        long block = position >>> 16;
        try (BlockCompressedInputStream in = new BlockCompressedInputStream(path.toFile())) {
            in.seek(position);
            BAMRecordCodec codec = new BAMRecordCodec(reader.getFileHeader());
            codec.setInputStream(in);
            while (in.getFilePointer() >>> 16 == block) {
                SAMRecord rec = codec.decode();
                if (rec == null) {
                    return;
                }
                position = in.getFilePointer();
                lastRead = rec.getReadName();
                SourceRecord out = AlignmentRecords.checked(file, rec, ordinal);
                if (out != null) {
                    ordinal++;
                    pending.add(new Pending(out, position));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the record that runs into the damage: it is lost
        }
    }

    /**
     * Moves past the damage at {@link #position}: to the next record that can be read, or to the end
     * of the split. Says which, for the bad record's message.
     */
    private String resume() {
        long damaged = position >>> 16;
        long next;
        try {
            next = BgzfResync.next(path, damaged, reader.getFileHeader().getSequenceDictionary().size());
        } catch (IOException | RuntimeException e) {
            next = -1;
        }
        if (next < 0 || next >= split.end()) {
            failed = true;
            position = split.end();
            return "; no intact block with a record follows in this part of the file, the rest of it is not read";
        }
        if (records != null) {
            records.close();
        }
        try {
            records = reader.indexing().iterator(new BAMFileSpan(new Chunk(next, split.end())));
        } catch (RuntimeException e) {
            openFailure = e; // the record there reaches into more damage: move on again
        }
        position = next;
        return "; the reads after it up to the next intact block (compressed offset " + (next >>> 16)
                + ") are lost, reading resumes there";
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
        if (records != null) {
            records.close();
        }
        reader.close();
    }
}
