package io.scanflow.genomics.io;

import htsjdk.samtools.util.BlockCompressedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Tells a file's format from its first bytes, as samtools does, so a name says nothing (a pipe
 * spooled to a file has none): BGZF holding {@code BAM\1} is BAM, {@code CRAM} is CRAM, and text
 * (plain, gzipped or BGZF) is FASTA ({@code >}), SAM (a header line such as {@code @HD} or an
 * 11-column record) or FASTQ ({@code @}, or a whole record further on when the first is damaged).
 */
public final class FormatSniffer {
    /** Bytes looked at: enough for a few FASTQ records or SAM header lines. */
    private static final int HEAD = 16 * 1024;
    private static final Pattern SAM_HEADER = Pattern.compile("@(HD|SQ|RG|PG|CO)(\t.*)?");
    private static final Pattern BASES = Pattern.compile("[A-Za-z.*-]*");

    private FormatSniffer() {
    }

    /** The format of {@code file}'s content, or empty when it is none of the five (or the file is empty). */
    public static Optional<GenomicsFormat> sniff(Path file) throws IOException {
        byte[] raw = Readers.head(file, HEAD, false);
        if (raw.length >= 4 && Arrays.equals(Arrays.copyOf(raw, 4), new byte[] {'C', 'R', 'A', 'M'})) {
            return Optional.of(GenomicsFormat.CRAM);
        }
        if (isGzip(raw)) {
            if (isBgzf(raw) && startsWithBamMagic(file)) {
                return Optional.of(GenomicsFormat.BAM);
            }
            return text(Readers.head(file, HEAD, true)).filter(f -> f != GenomicsFormat.SAM); // htsjdk reads no gzipped SAM
        }
        return text(raw);
    }

    /** Whether {@code file} starts with the gzip magic (plain gzip or BGZF). */
    public static boolean isGzipped(Path file) throws IOException {
        return isGzip(Readers.head(file, 2, false));
    }

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    /** A gzip member with the extra field flag and a 'BC' subfield first: a BGZF block. */
    private static boolean isBgzf(byte[] b) {
        return b.length >= 14 && b[2] == 8 && (b[3] & 4) != 0 && b[12] == 'B' && b[13] == 'C';
    }

    private static boolean startsWithBamMagic(Path file) throws IOException {
        try (InputStream in = new BlockCompressedInputStream(new ByteArrayInputStream(Readers.head(file, 1 << 17, false)))) {
            return Arrays.equals(in.readNBytes(4), new byte[] {'B', 'A', 'M', 1});
        } catch (RuntimeException e) {
            return false; // not decodable as BGZF: the name decides, and the reader reports the damage
        }
    }

    private static Optional<GenomicsFormat> text(byte[] head) {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r?\n");
        int first = 0;
        while (first < lines.length - 1 && lines[first].isEmpty()) {
            first++;
        }
        String line = lines[first];
        if (line.startsWith(">")) {
            return Optional.of(GenomicsFormat.FASTA);
        }
        if (SAM_HEADER.matcher(line).matches() || line.split("\t").length >= 11) {
            return Optional.of(GenomicsFormat.SAM);
        }
        if (line.startsWith("@")) {
            return Optional.of(GenomicsFormat.FASTQ);
        }
        // A FASTQ whose first record is damaged is still FASTQ: a record ('@' line, bases, '+' line) further on says so.
        for (int i = first + 1; i + 2 < lines.length; i++) {
            if (lines[i].startsWith("@") && BASES.matcher(lines[i + 1]).matches() && lines[i + 2].startsWith("+")) {
                return Optional.of(GenomicsFormat.FASTQ);
            }
        }
        return Optional.empty();
    }
}
