package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.Reading;
import io.scanflow.genomics.testing.TestData;
import io.scanflow.model.io.BadInput;
import io.scanflow.model.io.BadInputException;
import io.scanflow.model.io.BadRecordPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input becomes one named {@link BadInput}; the records around it keep flowing. */
class BadInputTest {
    private static final String HEADER = "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chrM\tLN:1000\n@RG\tID:rg1\tSM:sampleA\n";

    @TempDir
    Path dir;

    private static List<SourceRecord> read(Path file, ReadOptions options) {
        return Reading.all(SplitPlanner.plan(List.of(file), options), options);
    }

    private static List<BadInput> bad(List<SourceRecord> records) {
        return records.stream().filter(SourceRecord::isBad).map(SourceRecord::bad).toList();
    }

    private static long good(List<SourceRecord> records) {
        return records.stream().filter(r -> !r.isBad()).count();
    }

    private static String samLine(String name, String seq) {
        String qual = seq.equals("*") ? "*" : "I".repeat(seq.length());
        return name + "\t0\tchrM\t1\t60\t" + (seq.equals("*") ? "*" : seq.length() + "M") + "\t*\t0\t0\t" + seq + "\t" + qual + "\tRG:Z:rg1\n";
    }

    @Test
    void truncatedBgzfBlockIsNamedAndEarlierReadsStillFlow() throws IOException {
        byte[] bam = Files.readAllBytes(TestData.demoBam());
        Path cut = dir.resolve("truncated.bam");
        Files.write(cut, Arrays.copyOf(bam, bam.length / 2 + 1234));
        for (int perSplit : new int[] {100, 100_000}) {
            List<SourceRecord> records = read(cut, ReadOptions.defaults().withRecordsPerSplit(perSplit));
            List<BadInput> bad = bad(records);
            assertEquals(1, bad.size(), "one error for the truncation: " + bad);
            BadInput b = bad.get(0);
            assertEquals("truncated.bam", b.file());
            assertEquals("BGZF block", b.field(), b.describe());
            assertTrue(b.record().startsWith("after read ") || b.record().startsWith("#"), b.describe());
            assertTrue(good(records) > 300, "reads before the truncation flow: " + good(records));
        }
    }

    @Test
    void badMagicIsNamedForTheWholeFileAndOtherFilesKeepFlowing() throws IOException {
        // Content decides the format where it is one (InputSelectionTest); these are none, so the name does.
        Path notBam = dir.resolve("reads.bam");
        Files.writeString(notBam, "not a BAM file\n");
        Path notCram = dir.resolve("reads.cram");
        Files.write(notCram, new byte[] {'B', 'A', 'M', 1, 0, 0});
        Path notFastq = dir.resolve("reads.fastq");
        Files.writeString(notFastq, "r1 ACGT\n");
        for (Path p : List.of(notBam, notCram, notFastq)) {
            List<BadInput> bad = bad(read(p, ReadOptions.defaults()));
            assertEquals(1, bad.size(), p.toString());
            assertEquals("header", bad.get(0).record());
            assertEquals("magic", bad.get(0).field());
            assertTrue(bad.get(0).problem().startsWith("expected "), bad.get(0).problem());
        }
        ReadOptions options = ReadOptions.defaults();
        List<SourceRecord> both = Reading.all(SplitPlanner.plan(List.of(notBam, TestData.demoBam()), options), options);
        assertEquals(1, bad(both).size());
        assertEquals(1080, good(both));
    }

    @Test
    void readWithNoBasesIsNamedByReadAndField() throws IOException {
        Path sam = dir.resolve("reads.sam");
        Files.writeString(sam, HEADER + samLine("r1", "ACGT") + samLine("empty", "*") + samLine("r3", "GGCC"));
        List<SourceRecord> records = read(sam, ReadOptions.defaults());
        assertEquals(2, good(records));
        BadInput b = bad(records).get(0);
        assertEquals(new BadInput("reads.sam", "empty", "SEQ", "expected bases, found none (SEQ is '*')"), b);
        assertEquals("reads.sam: record 'empty': field 'SEQ': expected bases, found none (SEQ is '*')", b.describe());

        Path fastq = dir.resolve("reads.fastq");
        Files.writeString(fastq, "@a\nACGT\n+\nIIII\n@b\n\n+\n\n@c\nTTTT\n+\nIIII\n");
        List<SourceRecord> fq = read(fastq, ReadOptions.defaults());
        List<BadInput> fqBad = bad(fq);
        assertEquals(1, fqBad.size(), fqBad.toString());
        assertEquals("b", fqBad.get(0).record());
        assertEquals("sequence", fqBad.get(0).field());
        assertEquals(2, good(fq));
    }

    @Test
    void unknownCharactersAreNamedWithTheirPosition() throws IOException {
        Path sam = dir.resolve("reads.sam");
        Files.writeString(sam, HEADER + samLine("r1", "ACGT") + samLine("odd", "ACXT") + samLine("r3", "GGCC"));
        List<SourceRecord> records = read(sam, ReadOptions.defaults());
        assertEquals(2, good(records));
        BadInput b = bad(records).get(0);
        assertEquals("odd", b.record());
        assertEquals("SEQ", b.field());
        assertTrue(b.problem().contains("'X' at position 3"), b.problem());

        Path fasta = dir.resolve("refs.fa");
        Files.writeString(fasta, ">good\nACGTNRYacgt\n>gapped\nACGT-ACGT\n>fine\nTTTT\n");
        List<SourceRecord> fa = read(fasta, ReadOptions.defaults());
        assertEquals(2, good(fa));
        assertEquals(new BadInput("refs.fa", "gapped", "sequence",
                "unknown character '-' at position 5 (expected A, C, G, T, N or another IUPAC nucleotide code)"), bad(fa).get(0));

        Path fastq = dir.resolve("reads.fq");
        Files.writeString(fastq, "@a\nAC1T\n+\nIIII\n@b\nACGT\n+\nIIII\n");
        List<SourceRecord> fq = read(fastq, ReadOptions.defaults());
        assertEquals(1, good(fq));
        assertEquals("a", bad(fq).get(0).record());
    }

    @Test
    void malformedSamLineIsNamedAndTheNextLinesFlow() throws IOException {
        Path sam = dir.resolve("reads.sam");
        Files.writeString(sam, HEADER + samLine("r1", "ACGT") + "broken\tline\n" + samLine("r3", "GGCC"));
        List<SourceRecord> records = read(sam, ReadOptions.defaults());
        List<BadInput> bad = bad(records);
        assertEquals(1, bad.size(), bad.toString());
        assertEquals("#2", bad.get(0).record());
        assertEquals("record", bad.get(0).field());
        assertEquals(2, good(records));
    }

    @Test
    void policyFailThrowsNamingFileRecordAndFieldAndSkipDropsButCounts() {
        PositionedRecord badRecord = new PositionedRecord(
                SourceRecord.of(new BadInput("x.bam", "r7", "SEQ", "expected bases, found none")), 10, 1);
        GenomicsSplitState state = new GenomicsSplitState(new GenomicsSplit("s", "/x.bam", io.scanflow.genomics.io.GenomicsFormat.BAM,
                GenomicsSplit.Unit.VIRTUAL_OFFSET, 0, 100, 0, 0));
        java.util.List<SourceRecord> out = new java.util.ArrayList<>();
        SourceOutput<SourceRecord> output = new SourceOutput<>() {
            @Override
            public void collect(SourceRecord r) {
                out.add(r);
            }

            @Override
            public void collect(SourceRecord r, long t) {
                out.add(r);
            }

            @Override
            public void emitWatermark(Watermark w) {
            }

            @Override
            public void markIdle() {
            }

            @Override
            public void markActive() {
            }
        };
        SuppressRestartsException failed = assertThrows(SuppressRestartsException.class,
                () -> new GenomicsRecordEmitter(BadRecordPolicy.FAIL, new SimpleCounter()).emitRecord(badRecord, output, state));
        BadInputException e = (BadInputException) failed.getCause();
        assertEquals("x.bam: record 'r7': field 'SEQ': expected bases, found none", e.getMessage());

        SimpleCounter skipped = new SimpleCounter();
        new GenomicsRecordEmitter(BadRecordPolicy.SKIP, skipped).emitRecord(badRecord, output, state);
        assertEquals(0, out.size());
        assertEquals(1, skipped.getCount());
        assertEquals(10, state.position);

        new GenomicsRecordEmitter(BadRecordPolicy.SIDE_OUTPUT, skipped).emitRecord(badRecord, output, state);
        assertEquals(1, out.size());
    }
}
