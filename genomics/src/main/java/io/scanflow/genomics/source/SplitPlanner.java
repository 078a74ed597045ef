package io.scanflow.genomics.source;

import htsjdk.samtools.BAMFileSpan;
import htsjdk.samtools.Chunk;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SAMRecordIterator;
import htsjdk.samtools.SBIIndex;
import htsjdk.samtools.SamReader;
import io.scanflow.genomics.io.FastaWindows;
import io.scanflow.genomics.io.GenomicsFormat;
import io.scanflow.genomics.io.Readers;
import io.scanflow.model.io.InputNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts input files into splits that cover each file with no gap and no overlap.
 * <ul>
 *   <li>BAM: by BGZF virtual offsets at record starts: from the {@code .sbi} splitting index when
 *       there is one, else from one scan of the file ({@link ReadOptions#recordsPerSplit()} records
 *       a split). The last split runs to the end of the file, so records after a defect (a truncated
 *       block) are still read, and the defect is reported, by that split.
 *   <li>FASTA: by ranges of window numbers ({@link FastaWindows}) from the {@code .fai} (or an index
 *       built in memory); a gzipped FASTA is one split.
 *   <li>FASTQ, SAM, CRAM, a BAM read by regions, and files whose first bytes are not their format: one split each.
 *   <li>An empty file (no bytes, or none after gunzip): no split; it holds no records in any format.
 * </ul>
 */
public final class SplitPlanner {
    private SplitPlanner() {
    }

    /** The splits of {@code files}, each file cut as {@code options} say. */
    public static List<GenomicsSplit> plan(List<Path> files, ReadOptions options) {
        List<GenomicsSplit> splits = new ArrayList<>();
        List<String> names = InputNames.of(files);
        for (int i = 0; i < files.size(); i++) {
            splits.addAll(plan(i, files.get(i), names.get(i), options));
        }
        return splits;
    }

    static List<GenomicsSplit> plan(int fileNumber, Path file, String name, ReadOptions options) {
        GenomicsFormat format = GenomicsFormat.of(file);
        String prefix = fileNumber + ":" + file.getFileName() + ":";
        String path = file.toAbsolutePath().toString();
        List<GenomicsSplit> out = new ArrayList<>();
        if (Readers.holdsNothing(file)) {
            return out; // an empty file: no records, whatever its format
        }
        if (Readers.checkMagic(file, format).isPresent()) {
            out.add(whole(prefix, path, name, format));
            return out;
        }
        if (format == GenomicsFormat.BAM && !options.regions().isEmpty()) {
            out.add(whole(prefix, path, name, format)); // read through an index query, in order
            return out;
        }
        if (format == GenomicsFormat.BAM) {
            List<long[]> ranges = bamRanges(file, options);
            if (ranges.isEmpty()) {
                out.add(whole(prefix, path, name, format));
            }
            for (long[] r : ranges) {
                out.add(new GenomicsSplit(prefix + out.size(), path, name, format, GenomicsSplit.Unit.VIRTUAL_OFFSET, r[0], r[1], r[0], 0));
            }
            return out;
        }
        if (format == GenomicsFormat.FASTA) {
            if (!Readers.randomAccessFasta(file)) {
                out.add(new GenomicsSplit(prefix + 0, path, name, format, GenomicsSplit.Unit.WINDOW, 0, GenomicsSplit.TO_END, 0, 0));
                return out;
            }
            long total;
            try {
                total = new FastaWindows(Readers.fastaIndex(file), options.window(), options.stride()).total();
            } catch (IOException | RuntimeException e) {
                // Unreadable as FASTA: one split, whose reader reports why.
                out.add(new GenomicsSplit(prefix + 0, path, name, format, GenomicsSplit.Unit.WINDOW, 0, GenomicsSplit.TO_END, 0, 0));
                return out;
            }
            for (long s = 0; s < total; s += options.windowsPerSplit()) {
                long e = Math.min(total, s + options.windowsPerSplit());
                out.add(new GenomicsSplit(prefix + out.size(), path, name, format, GenomicsSplit.Unit.WINDOW, s, e, s, 0));
            }
            return out;
        }
        out.add(whole(prefix, path, name, format));
        return out;
    }

    private static GenomicsSplit whole(String prefix, String path, String name, GenomicsFormat format) {
        return new GenomicsSplit(prefix + 0, path, name, format, GenomicsSplit.Unit.RECORD, 0, GenomicsSplit.TO_END, 0, 0);
    }

    /** The virtual offset where the records begin (just after the header), or -1 if the header cannot be read. */
    private static long firstRecordPointer(Path bam, ReadOptions options) {
        try (SamReader reader = Readers.openAlignments(bam, options.reference())) {
            return ((BAMFileSpan) reader.indexing().getFilePointerSpanningReads()).getFirstOffset();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** [start, end) virtual-offset ranges at record starts; empty if the file has no records or cannot be read. */
    static List<long[]> bamRanges(Path bam, ReadOptions options) {
        List<long[]> ranges = new ArrayList<>();
        Path sbi = bam.resolveSibling(bam.getFileName() + SBIIndex.FILE_EXTENSION);
        if (Files.isRegularFile(sbi)) {
            try {
                for (Chunk c : SBIIndex.load(sbi).split(options.sbiSplitBytes())) {
                    ranges.add(new long[] {c.getChunkStart(), c.getChunkEnd()});
                }
                if (!ranges.isEmpty()) {
                    ranges.get(ranges.size() - 1)[1] = GenomicsSplit.TO_END;
                    return ranges;
                }
            } catch (IOException | RuntimeException e) {
                ranges.clear(); // an unusable .sbi: fall back to scanning
            }
        }
        List<Long> starts = new ArrayList<>();
        try (SamReader reader = Readers.openAlignments(bam, options.reference());
             SAMRecordIterator it = reader.iterator()) {
            long count = 0;
            while (it.hasNext()) {
                SAMRecord rec = it.next();
                if (count % options.recordsPerSplit() == 0) {
                    starts.add(((BAMFileSpan) rec.getFileSource().getFilePointer()).getFirstOffset());
                }
                count++;
            }
        } catch (IOException | RuntimeException e) {
            // A defect part-way: the splits found so far stand; the last one runs to the end and reports it.
            if (starts.isEmpty()) {
                // Damage before the first record: one split from where the records begin, which moves past it.
                long first = firstRecordPointer(bam, options);
                if (first >= 0) {
                    ranges.add(new long[] {first, GenomicsSplit.TO_END});
                }
                return ranges;
            }
        }
        for (int i = 0; i < starts.size(); i++) {
            ranges.add(new long[] {starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : GenomicsSplit.TO_END});
        }
        return ranges;
    }
}
