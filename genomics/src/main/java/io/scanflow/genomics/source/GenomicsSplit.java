package io.scanflow.genomics.source;

import io.scanflow.genomics.io.GenomicsFormat;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A part of one input file with its own progress, so a restore needs nothing else (as Flink's
 * {@code FileSourceSplit}). Immutable: the reader makes a new one when it checkpoints.
 *
 * <p>The range and the position are counted in the {@link Unit} the format splits by:
 * <ul>
 *   <li>{@link Unit#VIRTUAL_OFFSET} (BAM): BGZF virtual offsets; the split holds the records that
 *       start in [start, end); position is the virtual offset of the next record to read.
 *   <li>{@link Unit#WINDOW} (FASTA): windows numbered across the file's records in index order;
 *       the split holds windows [start, end); position is the next window's number.
 *   <li>{@link Unit#RECORD} (FASTQ, SAM, CRAM, and a BAM that cannot be split): the whole file;
 *       position is the number of records already read (they are skipped on restore).
 * </ul>
 * Adjacent splits of a file share their boundary, so the splits of a file cover it with no gap and
 * no overlap.
 *
 * @param name    the file's name in records and messages: unique among the job's inputs
 *                (see {@link io.scanflow.model.io.InputNames}), so a sample is never two files
 * @param ordinal records emitted from this split before {@code position} (numbers records in messages)
 */
public record GenomicsSplit(String splitId, String path, String name, GenomicsFormat format, Unit unit, long start,
                            long end, long position, long ordinal) implements SourceSplit {

    /** What start, end and position count. */
    public enum Unit {
        /** BGZF virtual file offsets (BAM). */
        VIRTUAL_OFFSET,
        /** FASTA window numbers ({@link io.scanflow.genomics.io.FastaWindows}). */
        WINDOW,
        /** Record numbers. */
        RECORD
    }

    /** End of a range that runs to the end of the file. */
    public static final long TO_END = Long.MAX_VALUE;

    /** Checks the fields. */
    public GenomicsSplit {
        Objects.requireNonNull(splitId, "splitId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(unit, "unit");
        if (start < 0 || end < start || position < start || position > end || ordinal < 0) {
            throw new IllegalArgumentException("split " + splitId + ": expected 0 <= start <= position <= end and ordinal >= 0, found start "
                    + start + ", position " + position + ", end " + end + ", ordinal " + ordinal);
        }
    }

    /** A split named by its file name (a job with one input, or a split from a version 1 checkpoint). */
    public GenomicsSplit(String splitId, String path, GenomicsFormat format, Unit unit, long start, long end,
                         long position, long ordinal) {
        this(splitId, path, java.nio.file.Path.of(path).getFileName().toString(), format, unit, start, end, position,
                ordinal);
    }

    @Override
    public String splitId() {
        return splitId;
    }

    /** The same split, advanced to {@code newPosition} after {@code newOrdinal} records. */
    public GenomicsSplit at(long newPosition, long newOrdinal) {
        return new GenomicsSplit(splitId, path, name, format, unit, start, end, newPosition, newOrdinal);
    }
}
