package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.FormatSniffer;
import io.scanflow.genomics.io.GenomicsFormat;
import io.scanflow.genomics.io.InputRole;
import io.scanflow.genomics.io.Readers;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.Reading;
import io.scanflow.genomics.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formats told by content, the checks that stop a run before it starts, regions and sample-sheet roles. */
class InputSelectionTest {
    private static final String FASTQ = "@r1 comment\nACGTACGTAC\n+\nIIIIIIIIII\n@r2\nGGGGCCCCAA\n+\nIIIIIIIIII\n";
    private static final String REGION = "human.apes.Homo_sapiens:100-200";

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    private static List<DnaRead> reads(Path file, ReadOptions options) {
        return Reading.all(SplitPlanner.plan(List.of(file), options), options).stream()
                .filter(r -> !r.isBad()).map(SourceRecord::read).toList();
    }

    @Test
    void formatsAreToldByContentWhateverTheName() throws IOException {
        assertEquals(Optional.of(GenomicsFormat.BAM), FormatSniffer.sniff(TestData.demoBam()));
        assertEquals(Optional.of(GenomicsFormat.CRAM), FormatSniffer.sniff(TestData.genomics("ape-demo.cram")));
        assertEquals(Optional.of(GenomicsFormat.FASTA), FormatSniffer.sniff(TestData.references()));
        assertEquals(Optional.of(GenomicsFormat.FASTQ), FormatSniffer.sniff(write("a", FASTQ.getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Optional.of(GenomicsFormat.FASTQ), FormatSniffer.sniff(write("b", gzip(FASTQ))));
        assertEquals(Optional.of(GenomicsFormat.FASTA), FormatSniffer.sniff(write("c", gzip(">x\nACGT\n"))));
        assertEquals(Optional.of(GenomicsFormat.SAM), FormatSniffer.sniff(write("d", "@HD\tVN:1.6\n".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Optional.of(GenomicsFormat.SAM), FormatSniffer.sniff(write("e",
                "r\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Optional.empty(), FormatSniffer.sniff(write("f", "hello world\n".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(Optional.empty(), FormatSniffer.sniff(write("g", new byte[0])));

        // A gzipped FASTQ with no name ending at all (as spooled from a pipe) is read, gunzipped by content.
        List<DnaRead> reads = reads(write("spooled", gzip(FASTQ)), ReadOptions.defaults());
        assertEquals(List.of("r1", "r2"), reads.stream().map(DnaRead::id).toList());
        assertEquals("ACGTACGTAC", reads.get(0).bases());
        // SAM text under a .bam name is read as the SAM it is, as samtools does.
        Path sam = write("text.bam", "@HD\tVN:1.6\nr\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of("ACGT"), reads(sam, ReadOptions.defaults()).stream().map(DnaRead::bases).toList());
    }

    @Test
    void inputsThatCannotBeReadStopTheRunWithOneLine() throws IOException {
        ReadOptions o = ReadOptions.defaults();
        assertEquals(dir.resolve("missing.bam") + ": cannot open: no such file", message(List.of(dir.resolve("missing.bam")), o));
        Path text = write("notes.bam", "these are my notes\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(text + ": no recognisable format: expected BAM, CRAM, SAM, FASTQ or FASTA (plain or gzipped), found"
                + " 'these are my notes'", message(List.of(text), o));
        Path cram = TestData.genomics("ape-demo.cram");
        String noReference = message(List.of(cram), o);
        assertTrue(noReference.startsWith(cram + ": cannot decode the CRAM without its reference: pass the FASTA it was"
                + " written against with --reference ("), noReference);
        InputCheck.check(List.of(cram), o.withReference(TestData.references().toString())); // with it: fine
        InputCheck.check(List.of(write("empty.fastq", new byte[0])), o); // empty: zero reads, not an error

        Path unindexed = Files.copy(TestData.demoBam(), dir.resolve("copy.bam"));
        assertEquals(unindexed + ": --region needs an index (copy.bam.bai or .csi beside it), found none: run"
                + " 'samtools index copy.bam'", message(List.of(unindexed), o.withRegions(List.of(REGION))));
        Path fastq = write("r.fastq", FASTQ.getBytes(StandardCharsets.US_ASCII));
        assertTrue(message(List.of(fastq), o.withRegions(List.of(REGION))).startsWith(fastq + ": --region needs an indexed"
                + " BAM or CRAM, found FASTQ"));
        String unknownContig = message(List.of(TestData.demoBam()), o.withRegions(List.of("chr1:1-10")));
        assertTrue(unknownContig.contains("--region chr1:1-10: expected a sequence of the file's header"), unknownContig);
        assertTrue(unknownContig.endsWith("found 'chr1'"), unknownContig);
    }

    private static String message(List<Path> files, ReadOptions options) {
        return assertThrows(IllegalArgumentException.class, () -> InputCheck.check(files, options)).getMessage();
    }

    @Test
    void regionsReadExactlyTheRecordsThatOverlapThemFromBamAndCram() throws IOException {
        long expected = 0;
        try (SamReader reader = Readers.openAlignments(TestData.demoBam(), null)) {
            for (SAMRecord r : reader) {
                boolean overlaps = r.getContig() != null && r.getContig().equals("human.apes.Homo_sapiens")
                        && r.getAlignmentStart() <= 200 && r.getAlignmentEnd() >= 100;
                expected += overlaps && !r.isSecondaryOrSupplementary() ? 1 : 0;
            }
        }
        assertTrue(expected > 0 && expected < 100, "a few reads overlap: " + expected);
        ReadOptions o = ReadOptions.defaults().withRegions(List.of(REGION)).withReference(TestData.references().toString());
        assertEquals(expected, reads(TestData.demoBam(), o).size());
        assertEquals(expected, reads(TestData.genomics("ape-demo.cram"), o).size());
        // Two regions on two sequences: the union.
        ReadOptions two = o.withRegions(List.of(REGION, "lemur.primates.Lemur_catta"));
        List<DnaRead> both = reads(TestData.demoBam(), two);
        assertTrue(both.size() > expected + 50, "the whole lemur sequence adds its 60 reads: " + both.size());
    }

    @Test
    void aSampleSheetRoleNamesTheSampleAndPairsMates() throws IOException {
        Path r1 = write("S1_R1.fastq", FASTQ.replace("@r1 comment", "@r1/1").getBytes(StandardCharsets.US_ASCII));
        Path r2 = write("S1_R2.fastq.gz", gzip(FASTQ));
        ReadOptions o = ReadOptions.defaults().withRoles(Map.of(r1.toAbsolutePath().toString(), new InputRole("S1", 1),
                r2.toAbsolutePath().toString(), new InputRole("S1", 2)));
        List<DnaRead> reads = Reading.all(SplitPlanner.plan(List.of(r1, r2), o), o).stream().map(SourceRecord::read).toList();
        assertEquals(List.of("r1/1", "r2/1", "r1/2", "r2/2"), reads.stream().map(DnaRead::id).toList());
        assertTrue(reads.stream().allMatch(r -> r.sample().equals("S1")), reads.toString());
    }
}
