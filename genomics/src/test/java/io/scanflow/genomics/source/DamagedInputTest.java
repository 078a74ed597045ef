package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.BAMFileSpan;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import htsjdk.samtools.ValidationStringency;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.Reading;
import io.scanflow.genomics.testing.TestData;
import io.scanflow.model.io.BadInput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage inside a compressed file loses the records in the damaged bytes, not the ones after them: a
 * BAM resumes at the next intact BGZF block; a truncated FASTQ.gz keeps every whole record before the cut.
 */
class DamagedInputTest {
    @TempDir
    Path dir;

    @Test
    void aGarbledBgzfBlockLosesOnlyTheReadsThatTouchIt() throws IOException {
        byte[] bam = Files.readAllBytes(TestData.demoBam());
        List<Long> blocks = blocks(bam);
        long damaged = blocks.get(3);
        for (int i = 0; i < 200; i++) {
            bam[(int) damaged + 40 + i] = (byte) (i * 37 + 11);
        }
        checkOnlyTheDamagedBlockIsLost(Files.write(dir.resolve("garbled.bam"), bam), damaged);
    }

    @Test
    void aBlockWithoutItsGzipMagicLosesOnlyTheReadsThatTouchIt() throws IOException {
        byte[] bam = Files.readAllBytes(TestData.demoBam());
        long damaged = blocks(bam).get(4);
        bam[(int) damaged] = 0;
        bam[(int) damaged + 1] = 0;
        checkOnlyTheDamagedBlockIsLost(Files.write(dir.resolve("magic.bam"), bam), damaged);
    }

    private static void checkOnlyTheDamagedBlockIsLost(Path file, long damagedBlock) throws IOException {
        Set<String> intact = new HashSet<>();
        Set<String> all = new HashSet<>();
        for (SourceRecord r : read(TestData.demoBam(), 100_000)) {
            all.add(r.read().id());
        }
        try (SamReader reader = SamReaderFactory.makeDefault().validationStringency(ValidationStringency.SILENT)
                .enable(SamReaderFactory.Option.INCLUDE_SOURCE_IN_RECORDS).open(TestData.demoBam())) {
            for (SAMRecord rec : reader) {
                BAMFileSpan span = (BAMFileSpan) rec.getFileSource().getFilePointer();
                long start = span.getChunks().get(0).getChunkStart();
                long end = span.getChunks().get(span.getChunks().size() - 1).getChunkEnd();
                boolean touches = (start >>> 16) <= damagedBlock
                        && ((end >>> 16) > damagedBlock || ((end >>> 16) == damagedBlock && (end & 0xffff) > 0));
                if (!touches) {
                    intact.add(rec.getReadName());
                }
            }
        }
        intact.retainAll(all); // the reads the source emits at all (primary alignments)
        assertTrue(intact.size() > all.size() / 2, "the damage is one block of several");
        for (int perSplit : new int[] {100, 100_000}) {
            List<SourceRecord> records = read(file, perSplit);
            List<BadInput> bad = records.stream().filter(SourceRecord::isBad).map(SourceRecord::bad).toList();
            assertEquals(1, bad.size(), "one bad record for the damage: " + bad);
            assertEquals("BGZF block", bad.get(0).field(), bad.get(0).describe());
            assertTrue(bad.get(0).problem().contains("reading resumes there"), bad.get(0).describe());
            Set<String> read = new HashSet<>();
            records.stream().filter(r -> !r.isBad()).forEach(r -> assertTrue(read.add(r.read().id()), "once: " + r.read().id()));
            Set<String> missing = new HashSet<>(intact);
            missing.removeAll(read);
            assertEquals(Set.of(), missing, "reads in intact blocks (" + perSplit + " records a split)");
            assertTrue(all.containsAll(read), "no read made up from the damage");
            // How many reads the damage cost: estimated from the compressed bytes skipped, within a factor of 2.
            long lost = all.size() - read.size();
            BadInput b = bad.get(0);
            assertTrue(b.estimated() && b.recordsLost() >= lost / 2 && b.recordsLost() <= lost * 2,
                    "estimated " + b.lostText() + " reads lost, " + lost + " were (" + perSplit + " records a split)");
        }
    }

    @Test
    void aTruncatedFastqGzKeepsEveryWholeRecordBeforeTheCut() throws IOException {
        StringBuilder fastq = new StringBuilder();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 100; i++) {
            StringBuilder bases = new StringBuilder();
            for (int j = 0; j < 120; j++) {
                bases.append("ACGT".charAt(random.nextInt(4)));
            }
            fastq.append("@r").append(i).append('\n').append(bases).append("\n+\n").append("I".repeat(120)).append('\n');
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(fastq.toString().getBytes(StandardCharsets.US_ASCII));
        }
        byte[] whole = gz.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        Path file = Files.write(dir.resolve("reads.fastq.gz"), cut);
        int complete = wholeRecordsBeforeTheCut(cut);
        assertTrue(complete > 10 && complete < 100, "the cut is inside the records: " + complete);

        List<SourceRecord> records = read(file, 100_000);
        List<String> ids = records.stream().filter(r -> !r.isBad()).map(r -> r.read().id()).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < complete; i++) {
            expected.add("r" + i);
        }
        assertEquals(expected, ids);
        List<BadInput> bad = records.stream().filter(SourceRecord::isBad).map(SourceRecord::bad).toList();
        assertEquals(1, bad.size(), bad.toString());
        assertEquals("data", bad.get(0).field());
        assertTrue(bad.get(0).problem().contains("ends early or is corrupt after " + complete + " complete records"),
                bad.get(0).describe());
    }

    @Test
    void aTruncatedFastaGzKeepsTheSequencesBeforeTheCutAndSaysSo() throws IOException {
        StringBuilder fasta = new StringBuilder();
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 40; i++) {
            fasta.append(">s").append(i).append('\n');
            for (int j = 0; j < 600; j++) {
                fasta.append("ACGT".charAt(random.nextInt(4)));
            }
            fasta.append('\n');
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(fasta.toString().getBytes(StandardCharsets.US_ASCII));
        }
        byte[] cut = java.util.Arrays.copyOf(gz.toByteArray(), gz.size() * 3 / 4);
        Path file = Files.write(dir.resolve("seqs.fa.gz"), cut);
        List<SourceRecord> records = read(file, 100_000);
        List<BadInput> bad = records.stream().filter(SourceRecord::isBad).map(SourceRecord::bad).toList();
        assertEquals(1, bad.size(), bad.toString());
        assertEquals("data", bad.get(0).field(), bad.get(0).describe());
        List<String> ids = records.stream().filter(r -> !r.isBad()).map(r -> r.read().id()).toList();
        // 600 bases are 4 windows of 150: whole sequences only, in order from s0, and many of them.
        assertTrue(ids.size() >= 40 && ids.size() % 4 == 0 && ids.size() < 160, ids.size() + " windows");
        for (int i = 0; i < ids.size(); i++) {
            assertTrue(ids.get(i).startsWith("s" + i / 4 + ":"), ids.get(i));
        }
    }

    /** Whole 4-line records in what a gunzip recovers from {@code gz} before it fails. */
    private static int wholeRecordsBeforeTheCut(byte[] gz) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                text.write(b);
            }
        } catch (IOException expected) {
            // the cut
        }
        long lines = text.toString(StandardCharsets.US_ASCII).chars().filter(c -> c == '\n').count();
        return (int) (lines / 4);
    }

    private static List<SourceRecord> read(Path file, int recordsPerSplit) {
        ReadOptions options = ReadOptions.defaults().withRecordsPerSplit(recordsPerSplit);
        return Reading.all(SplitPlanner.plan(List.of(file), options), options);
    }

    /** Compressed offsets of the BGZF blocks, from each block's size field. */
    private static List<Long> blocks(byte[] bam) {
        List<Long> offsets = new ArrayList<>();
        for (int at = 0; at < bam.length; at += (ByteBuffer.wrap(bam, at + 16, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff) + 1) {
            offsets.add((long) at);
        }
        assertTrue(offsets.size() > 5, "the demo BAM has several blocks");
        return offsets;
    }
}
