package io.scanflow.genomics.source;

import htsjdk.samtools.SAMReadGroupRecord;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.util.RuntimeIOException;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.tokenizer.DnaTokenizer;

/** SAM/BAM/CRAM records to reads: one place for orientation, naming, samples and skipping. */
final class AlignmentRecords {
    private AlignmentRecords() {
    }

    /** Secondary and supplementary alignments repeat a read that is classified once, as its primary record. */
    /**
     * The record as a read or as bad input, or null when it is skipped. A record whose fields cannot be
     * decoded (bytes garbled inside an intact-looking block: htsjdk decodes fields lazily) is bad input.
     */
    static SourceRecord checked(String file, SAMRecord rec, long ordinal) {
        try {
            return skip(rec) ? null : toRecord(file, rec, ordinal);
        } catch (RuntimeException e) {
            String name;
            try {
                name = rec.getReadName();
            } catch (RuntimeException unreadable) {
                name = "#" + (ordinal + 1);
            }
            return SourceRecord.of(new io.scanflow.model.io.BadInput(file, name, "record", describe(e)));
        }
    }

    static boolean skip(SAMRecord rec) {
        return rec.isSecondaryOrSupplementary();
    }

    /**
     * The read in sequencing orientation: a reverse-strand record's SEQ is reverse complemented back
     * (as {@code samtools fastq} does). Mates of a pair get {@code /1} and {@code /2}. The sample is
     * the read group's SM (else its ID), or the file name when the record has no read group.
     */
    static SourceRecord toRecord(String file, SAMRecord rec, long ordinal) {
        String name = rec.getReadName();
        if (rec.getReadPairedFlag()) {
            name += rec.getFirstOfPairFlag() ? "/1" : rec.getSecondOfPairFlag() ? "/2" : "";
        }
        String sample = file;
        SAMReadGroupRecord rg = rec.getReadGroup();
        if (rg != null) {
            sample = rg.getSample() != null ? rg.getSample() : rg.getReadGroupId();
        } else if (rec.getAttribute("RG") != null) {
            sample = String.valueOf(rec.getAttribute("RG"));
        }
        String bases = rec.getReadString();
        if ("*".equals(bases)) {
            bases = "";
        }
        SourceRecord checked = Cursors.readOrBad(file, name, sample, bases, ordinal, "SEQ");
        if (!checked.isBad() && rec.getReadNegativeStrandFlag()) {
            return SourceRecord.of(new io.scanflow.genomics.io.DnaRead(file, name, sample,
                    DnaTokenizer.reverseComplement(bases), ordinal));
        }
        return checked;
    }

    /** The field to blame for a reading failure: the BGZF block for a truncated or corrupt block, else the record. */
    static String blockOrRecord(RuntimeException e) {
        String m = describe(e).toLowerCase(java.util.Locale.ROOT);
        boolean block = e instanceof htsjdk.samtools.FileTruncatedException || e instanceof RuntimeIOException
                || m.contains("bgzf") || m.contains("premature") || m.contains("truncat") || m.contains("block")
                || m.contains("gzip") || m.contains("inflat") || m.contains("eof");
        return block ? "BGZF block" : "record";
    }

    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && sb.indexOf(t.getMessage()) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }
}
