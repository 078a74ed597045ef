package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.Reading;
import io.scanflow.genomics.testing.TestData;
import io.scanflow.genomics.tokenizer.DnaTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitCoverageTest {

    /** The demo BAM as htsjdk reads it whole: read name -> bases in sequencing orientation. */
    private static Map<String, String> demoReads() throws IOException {
        Map<String, String> reads = new LinkedHashMap<>();
        try (SamReader r = SamReaderFactory.makeDefault().open(TestData.demoBam())) {
            for (SAMRecord rec : r) {
                String bases = rec.getReadString();
                reads.put(rec.getReadName(), rec.getReadNegativeStrandFlag() ? DnaTokenizer.reverseComplement(bases) : bases);
            }
        }
        return reads;
    }

    @Test
    void bamSplitsByVirtualOffsetCoverEveryReadExactlyOnce() throws IOException {
        Map<String, String> expected = demoReads();
        for (int perSplit : new int[] {1, 7, 100, 1079, 100_000}) {
            ReadOptions options = ReadOptions.defaults().withRecordsPerSplit(perSplit);
            List<GenomicsSplit> splits = SplitPlanner.plan(List.of(TestData.demoBam()), options);
            assertEquals((expected.size() + perSplit - 1) / perSplit, splits.size(), "splits for " + perSplit);
            for (int i = 0; i + 1 < splits.size(); i++) {
                assertEquals(splits.get(i).end(), splits.get(i + 1).start(), "adjacent splits share their boundary");
            }
            assertEquals(GenomicsSplit.TO_END, splits.get(splits.size() - 1).end());
            List<SourceRecord> all = Reading.all(splits, options);
            Map<String, String> got = new LinkedHashMap<>();
            for (SourceRecord r : all) {
                assertFalse(r.isBad(), () -> r.bad().describe());
                String previous = got.put(r.read().id(), r.read().bases());
                assertEquals(null, previous, "read read twice: " + r.read().id());
            }
            assertEquals(expected, got, "records per split " + perSplit);
        }
    }

    @Test
    void readsCarryTheirReadGroupSampleAndOrdinal() {
        ReadOptions options = ReadOptions.defaults().withRecordsPerSplit(500);
        List<GenomicsSplit> splits = SplitPlanner.plan(List.of(TestData.demoBam()), options);
        List<SourceRecord> second = Reading.all(splits.get(1), options);
        DnaRead first = second.get(0).read();
        assertEquals("ape-demo.bam", first.file());
        assertTrue(first.sample().matches("D\\d\\d"), first.sample());
        assertEquals(0, first.ordinal());
        assertEquals(second.size() - 1, second.get(second.size() - 1).read().ordinal());
    }

    @Test
    void bamSplitsFromASplittingIndexCoverTheSameReads(@TempDir Path dir) throws IOException {
        Path bam = dir.resolve("demo.bam");
        Files.copy(TestData.demoBam(), bam);
        htsjdk.samtools.BAMSBIIndexer.createIndex(bam, 10);
        ReadOptions options = new ReadOptions(150, 150, 1000, 100_000, 20_000, null,
                io.scanflow.model.io.BadRecordPolicy.SIDE_OUTPUT);
        List<GenomicsSplit> splits = SplitPlanner.plan(List.of(bam), options);
        assertTrue(splits.size() > 1, "several splits from the .sbi: " + splits.size());
        Set<String> ids = new HashSet<>();
        for (SourceRecord r : Reading.all(splits, options)) {
            assertTrue(ids.add(r.read().id()), "duplicate " + r.read().id());
        }
        assertEquals(demoReads().keySet(), ids);
    }

    @Test
    void fastaSplitsByWindowsCoverEveryWindowOnceAndTileEachRecord() throws IOException {
        Path fasta = TestData.references();
        ReadOptions options = ReadOptions.defaults().withWindow(150, 100).withWindowsPerSplit(7);
        List<GenomicsSplit> splits = SplitPlanner.plan(List.of(fasta), options);
        List<SourceRecord> all = Reading.all(splits, options);
        // Expected: every record of the file, windows of 150 every 100.
        Map<String, String> refs = readFasta(fasta);
        List<String> expected = new ArrayList<>();
        for (Map.Entry<String, String> e : refs.entrySet()) {
            for (int[] w : DnaTokenizer.windows(e.getValue().length(), 150, 100)) {
                expected.add(e.getKey() + ":" + (w[0] + 1) + "-" + w[1] + "|" + e.getValue().substring(w[0], w[1]));
            }
        }
        List<String> got = all.stream().map(r -> r.read().id() + "|" + r.read().bases()).toList();
        assertEquals(expected, got);
        int total = expected.size();
        assertEquals((total + 6) / 7, splits.size());
        for (GenomicsSplit s : splits) {
            assertEquals(GenomicsSplit.Unit.WINDOW, s.unit());
        }
    }

    @Test
    void shortFastaRecordsAreOneWindowEachAndGzippedFastaReadsTheSame(@TempDir Path dir) throws IOException {
        String text = ">r1 first\nACGTacgtNN\n>r2\nGGGGCCCCAAAATTTT\nACGT\n";
        Path plain = dir.resolve("reads.fa");
        Files.writeString(plain, text);
        Path gz = dir.resolve("reads.fa.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(text.getBytes());
        }
        ReadOptions options = ReadOptions.defaults().withWindow(12, 12).withWindowsPerSplit(1);
        List<String> a = Reading.all(SplitPlanner.plan(List.of(plain), options), options).stream().map(Reading::key).toList();
        List<String> b = Reading.all(SplitPlanner.plan(List.of(gz), options), options).stream().map(Reading::key).toList();
        assertEquals(List.of("r1|reads.fa|ACGTacgtNN", "r2:1-12|reads.fa|GGGGCCCCAAAA", "r2:13-20|reads.fa|TTTTACGT"), a);
        assertEquals(a.stream().map(s -> s.replace("reads.fa|", "reads.fa.gz|")).toList(), b);
    }

    static Map<String, String> readFasta(Path fasta) throws IOException {
        Map<String, String> seqs = new LinkedHashMap<>();
        String name = null;
        for (String line : Files.readAllLines(fasta)) {
            if (line.startsWith(">")) {
                name = line.substring(1).split("\\s")[0];
                seqs.put(name, "");
            } else {
                seqs.put(name, seqs.get(name) + line.trim());
            }
        }
        return seqs;
    }
}
