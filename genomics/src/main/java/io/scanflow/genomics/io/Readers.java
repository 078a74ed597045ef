package io.scanflow.genomics.io;

import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import htsjdk.samtools.ValidationStringency;
import htsjdk.samtools.reference.FastaSequenceIndex;
import htsjdk.samtools.reference.FastaSequenceIndexCreator;
import htsjdk.samtools.reference.ReferenceSequenceFileFactory;
import htsjdk.samtools.util.BlockCompressedInputStream;
import io.scanflow.model.io.BadInput;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * htsjdk readers, configured once for ScanFlow: the one place that knows how each format is opened.
 * Reading stays lenient inside htsjdk (stringency SILENT); ScanFlow checks what it needs itself and
 * reports bad input as {@link BadInput}.
 */
public final class Readers {
    private static final byte[] BAM_MAGIC = {'B', 'A', 'M', 1};
    private static final byte[] CRAM_MAGIC = {'C', 'R', 'A', 'M'};

    private Readers() {
    }

    /** A SAM, BAM or CRAM reader that records each record's file position (BGZF virtual offsets for BAM). */
    public static SamReader openAlignments(Path file, String reference) {
        SamReaderFactory factory = SamReaderFactory.makeDefault()
                .validationStringency(ValidationStringency.SILENT)
                .enable(SamReaderFactory.Option.INCLUDE_SOURCE_IN_RECORDS);
        if (reference != null) {
            factory = factory.referenceSequence(Path.of(reference));
        }
        return factory.open(file);
    }

    /** The FASTA's {@code .fai} if there is one, else an index built by reading the file once. */
    public static FastaSequenceIndex fastaIndex(Path fasta) throws IOException {
        Path fai = ReferenceSequenceFileFactory.getFastaIndexFileName(fasta);
        if (Files.isRegularFile(fai)) {
            return new FastaSequenceIndex(fai);
        }
        return FastaSequenceIndexCreator.buildFromFasta(fasta);
    }

    /** Whether a FASTA can be read by random access (plain text; a gzipped one, by its content, is read in order). */
    public static boolean randomAccessFasta(Path fasta) {
        try {
            return !FormatSniffer.isGzipped(fasta);
        } catch (IOException e) {
            return true; // unreadable: the indexed reader reports why
        }
    }

    /** The file's bytes, gunzipped when its content is gzip (whatever its name). */
    public static InputStream openMaybeGzipped(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return FormatSniffer.isGzipped(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    /**
     * Checks the first bytes of a file against its format: BGZF + {@code BAM\1} for BAM, {@code CRAM}
     * for CRAM, '>' for FASTA, '@' for FASTQ, a header line or an 11-column line for SAM.
     *
     * @return the problem as bad input (record {@code header}, field {@code magic}), or empty if the file looks right
     */
    public static Optional<BadInput> checkMagic(Path file, GenomicsFormat format) {
        String name = file.getFileName().toString();
        try {
            switch (format) {
                case BAM: {
                    byte[] raw = head(file, 4, false);
                    if (raw.length < 4 || (raw[0] & 0xff) != 0x1f || (raw[1] & 0xff) != 0x8b || raw[2] != 8 || (raw[3] & 4) == 0) {
                        return bad(name, "expected a BGZF block (bytes 1f 8b 08 04), found " + hex(raw));
                    }
                    byte[] magic = new byte[4];
                    try (InputStream in = new BlockCompressedInputStream(Files.newInputStream(file))) {
                        int n = in.readNBytes(magic, 0, 4);
                        if (n < 4 || !java.util.Arrays.equals(magic, BAM_MAGIC)) {
                            return bad(name, "expected BAM magic 'BAM\\1' in the first BGZF block, found " + hex(java.util.Arrays.copyOf(magic, n)));
                        }
                    }
                    return Optional.empty();
                }
                case CRAM: {
                    byte[] raw = head(file, 4, false);
                    return java.util.Arrays.equals(raw, CRAM_MAGIC) ? Optional.empty()
                            : bad(name, "expected CRAM magic 'CRAM', found " + hex(raw));
                }
                case FASTA:
                    return firstCharIs(file, name, '>', "'>' (a FASTA header line)");
                case FASTQ:
                    return firstCharIs(file, name, '@', "'@' (a FASTQ record)");
                case SAM: {
                    String text = new String(head(file, 4096, false), StandardCharsets.US_ASCII);
                    if (text.isEmpty() || text.startsWith("@") || text.split("\n", 2)[0].split("\t").length >= 11) {
                        return Optional.empty();
                    }
                    return bad(name, "expected a SAM header line ('@') or an 11-column record, found " + quote(text));
                }
                default:
                    return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            return bad(name, "cannot read the file's first bytes: " + e.getMessage());
        }
    }

    /**
     * Whether the file holds no bytes at all (after gunzip, if it is gzipped): an empty input, which is
     * zero records in every format rather than a format error in some.
     */
    public static boolean holdsNothing(Path file) {
        try {
            return head(file, 1, true).length == 0;
        } catch (IOException | RuntimeException e) {
            return false; // unreadable: the reader reports why
        }
    }

    /** The file's first bytes for a message: text quoted, else in hex. */
    public static String describeHead(Path file) {
        try {
            byte[] b = head(file, 40, false);
            boolean text = true;
            for (byte x : b) {
                text &= x == '\n' || x == '\r' || x == '\t' || (x >= 32 && x < 127);
            }
            return text ? quote(new String(b, StandardCharsets.US_ASCII)) : hex(b);
        } catch (IOException e) {
            return "an unreadable file (" + e.getMessage() + ")";
        }
    }

    private static Optional<BadInput> firstCharIs(Path file, String name, char expected, String what) throws IOException {
        byte[] b = head(file, 64, true);
        if (b.length == 0) {
            return Optional.empty(); // an empty file holds no records
        }
        return b[0] == expected ? Optional.empty() : bad(name, "expected " + what + ", found " + quote(new String(b, StandardCharsets.US_ASCII)));
    }

    /** Up to {@code n} first bytes of the file, gunzipped first if {@code gunzip} and the file is gzipped. */
    static byte[] head(Path file, int n, boolean gunzip) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = raw;
            if (gunzip) {
                raw.mark(2);
                int b0 = raw.read();
                int b1 = raw.read();
                raw.reset();
                if (b0 == 0x1f && b1 == 0x8b) {
                    in = new GZIPInputStream(raw);
                }
            }
            return readUpTo(in, n);
        }
    }

    /** Up to {@code n} bytes; a stream that breaks part-way (truncated gzip) gives those before the break. */
    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[Math.min(n, 8192)];
        try {
            for (int got = in.read(buffer, 0, Math.min(buffer.length, n)); got > 0 && out.size() < n;
                    got = in.read(buffer, 0, Math.min(buffer.length, n - out.size()))) {
                out.write(buffer, 0, got);
            }
        } catch (IOException e) {
            if (out.size() == 0) {
                throw e;
            }
        }
        return out.toByteArray();
    }

    private static Optional<BadInput> bad(String file, String problem) {
        return Optional.of(new BadInput(file, "header", "magic", problem).lost(BadInput.UNKNOWN, false));
    }

    private static String hex(byte[] b) {
        if (b.length == 0) {
            return "an empty file";
        }
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02x", x & 0xff));
        }
        return "bytes " + sb;
    }

    private static String quote(String s) {
        String line = s.split("\n", 2)[0];
        return "'" + (line.length() > 40 ? line.substring(0, 40) + "..." : line) + "'";
    }
}
