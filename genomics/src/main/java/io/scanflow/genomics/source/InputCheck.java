package io.scanflow.genomics.source;

import htsjdk.samtools.QueryInterval;
import htsjdk.samtools.SAMRecordIterator;
import htsjdk.samtools.SamReader;
import io.scanflow.genomics.io.FormatSniffer;
import io.scanflow.genomics.io.GenomicsFormat;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.Regions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What stops a run before it starts, each as one line naming the file and the problem: an input that
 * cannot be opened or whose content is no known format, a CRAM whose reference cannot be reached, a
 * {@code --region} on a file without an index. Damage inside a readable file is not checked here: the
 * source reads around it and reports it as bad input.
 */
public final class InputCheck {
    private InputCheck() {
    }

    /**
     * @throws IllegalArgumentException with one line for the first input that cannot be read
     */
    public static void check(List<Path> files, ReadOptions options) {
        if (options.reference() != null) {
            requireReadable(Path.of(options.reference()), "--reference ");
        }
        for (Path file : files) {
            check(file, options);
        }
    }

    private static void check(Path file, ReadOptions options) {
        requireReadable(file, "");
        if (Readers.holdsNothing(file)) {
            if (!options.regions().isEmpty()) {
                throw new IllegalArgumentException(file + ": --region needs an indexed BAM or CRAM, found an empty file");
            }
            return; // no records, in any format
        }
        GenomicsFormat format = format(file);
        if (!options.regions().isEmpty() && format != GenomicsFormat.BAM && format != GenomicsFormat.CRAM) {
            throw new IllegalArgumentException(file + ": --region needs an indexed BAM or CRAM, found " + format
                    + " (select the reads with samtools first, or leave out --region)");
        }
        if (format == GenomicsFormat.BAM || format == GenomicsFormat.CRAM) {
            checkAlignments(file, format, options);
        }
    }

    private static void requireReadable(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + file + ": cannot open: is a folder, expected a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.read();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(option + file + ": cannot open: no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException(option + file + ": cannot open: permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(option + file + ": cannot open: " + e.getMessage());
        }
    }

    private static GenomicsFormat format(Path file) {
        Optional<GenomicsFormat> sniffed;
        try {
            sniffed = FormatSniffer.sniff(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read its first bytes: " + e.getMessage());
        }
        return sniffed.orElseThrow(() -> new IllegalArgumentException(file + ": no recognisable format: expected BAM,"
                + " CRAM, SAM, FASTQ or FASTA (plain or gzipped), found " + Readers.describeHead(file)));
    }

    /** A problem found here, told apart from htsjdk's own IllegalArgumentExceptions (a CRAM without its reference). */
    private static final class Unusable extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    /** Opens the header, the index where regions need one, and the first record (for CRAM, its reference). */
    private static void checkAlignments(Path file, GenomicsFormat format, ReadOptions options) {
        try (SamReader reader = Readers.openAlignments(file, options.reference())) {
            QueryInterval[] intervals = null;
            if (!options.regions().isEmpty()) {
                if (!reader.hasIndex()) {
                    throw new Unusable(file + ": --region needs an index (" + file.getFileName()
                            + (format == GenomicsFormat.BAM ? ".bai or .csi" : ".crai") + " beside it), found none: run"
                            + " 'samtools index " + file.getFileName() + "'");
                }
                try {
                    intervals = Regions.intervals(options.regions(), reader.getFileHeader(), file.toString());
                } catch (IllegalArgumentException e) {
                    throw new Unusable(e.getMessage());
                }
            }
            try (SAMRecordIterator records = intervals == null ? reader.iterator() : reader.queryOverlapping(intervals)) {
                if (records.hasNext()) {
                    records.next().getReadString();
                }
            }
        } catch (Unusable e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (format == GenomicsFormat.CRAM) {
                throw new IllegalArgumentException(file + ": cannot decode the CRAM" + (options.reference() == null
                        ? " without its reference: pass the FASTA it was written against with --reference"
                        : " with --reference " + options.reference()) + " (" + AlignmentRecords.describe(e) + ")");
            }
            if (options.regions().isEmpty()) {
                return; // damage in the first records: the source reads around it and reports it
            }
            throw new IllegalArgumentException(file + ": cannot query its index: " + AlignmentRecords.describe(e));
        }
    }
}
