package io.scanflow.jobs.dna;

import static io.scanflow.jobs.dna.ApeReads.fastq;
import static io.scanflow.jobs.dna.ApeReads.model;
import static io.scanflow.jobs.dna.ApeReads.reads;
import static io.scanflow.jobs.dna.ApeReads.repo;
import static io.scanflow.jobs.dna.ApeReads.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.SAMFileHeader;
import htsjdk.samtools.SAMFileWriter;
import htsjdk.samtools.SAMFileWriterFactory;
import htsjdk.samtools.SAMReadGroupRecord;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import io.scanflow.jobs.corpus.Cli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dna-classify as a pipeline step: pipes, errors that stop, regions, sample sheets, mates, mixtures, Kraken reports. */
class DnaPipelineTest {
    private static final String HUMAN = "human.apes.Homo_sapiens";
    private static final String GORILLA = "gorilla.apes.Gorilla_gorilla";

    @TempDir
    Path tmp;

    private static String[] args(String... more) {
        List<String> a = new ArrayList<>(List.of("dna-classify", "--model", model().toString(), "--progress", "off",
                "--parallelism", "1"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    @Test
    void readsFromAPipeAndPredictionsToStandardOutput() throws IOException {
        byte[] gzipped = gzip(fastq(reads(HUMAN, "r", 20, 120, 31)));
        InputStream stdin = System.in;
        Cli.Run run;
        try {
            System.setIn(new ByteArrayInputStream(gzipped));
            run = Cli.run(args("--input", "-", "--out", "-"));
        } finally {
            System.setIn(stdin);
        }
        assertEquals(0, run.code(), run.err());
        String[] lines = run.out().split("\n");
        assertTrue(lines[0].startsWith("# scanflow "), lines[0]);
        assertTrue(lines[0].contains("; command: scanflow dna-classify --model ") && lines[0].contains(" --input - --out -"), lines[0]);
        assertTrue(lines[0].matches(".*; model: dna-apes sha256:[0-9a-f]{64}"), lines[0]);
        assertEquals("read_id\tsample\tpredicted\tprobability\tbest", lines[1]);
        List<String[]> predictions = rows(run.out());
        assertEquals(20, predictions.size(), run.out());
        assertTrue(predictions.stream().allMatch(f -> f[1].equals("stdin.fastq.gz")), "the sample is the spooled file: " + run.out());
        // Error-free human reads: a few stretches are identical in bonobo and chimpanzee, so not every read is human.
        assertTrue(predictions.stream().filter(f -> f[4].equals("human")).count() >= 18, run.out());
        // The summaries went to standard error: samples.tsv and the one-line result.
        assertTrue(run.err().contains("sample\tfragments\tpredicted\tfraction\tmixture\tcomposition\nstdin.fastq.gz\t20\thuman\t"),
                run.err());
        assertTrue(run.err().contains("dna-classify: 20 reads in 1 samples"), run.err());
        assertFalse(Files.exists(Path.of("-")), "no folder named '-'");
    }

    @Test
    void inputsThatCannotBeReadStopTheRunBeforeAnyOutput() throws IOException {
        Path out = tmp.resolve("out");
        Path cram = repo().resolve("testdata/genomics/ape-demo.cram");
        Cli.Run run = Cli.run(args("--input", cram.toString(), "--out", out.toString()));
        assertEquals(1, run.code());
        assertEquals(1, run.err().strip().split("\n").length, run.err());
        assertTrue(run.err().startsWith("scanflow dna-classify: " + cram + ": cannot decode the CRAM without its reference:"
                + " pass the FASTA it was written against with --reference"), run.err());
        assertFalse(Files.exists(out), "nothing written");

        Path notes = Files.writeString(tmp.resolve("notes.fastq"), "my notes\n");
        run = Cli.run(args("--input", notes.toString(), "--out", out.toString()));
        assertEquals(1, run.code());
        assertEquals("scanflow dna-classify: " + notes + ": no recognisable format: expected BAM, CRAM, SAM, FASTQ or FASTA"
                + " (plain or gzipped), found 'my notes'", run.err().strip());

        Path unindexed = Files.copy(repo().resolve("testdata/genomics/ape-demo.bam"), tmp.resolve("demo.bam"));
        run = Cli.run(args("--input", unindexed.toString(), "--region", HUMAN + ":1-100", "--out", out.toString()));
        assertEquals(1, run.code());
        assertTrue(run.err().strip().endsWith("demo.bam: --region needs an index (demo.bam.bai or .csi beside it), found none:"
                + " run 'samtools index demo.bam'"), run.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aSampleSheetPairsMatesAndFlagsAMixture() throws IOException {
        List<String[]> firsts = reads(HUMAN, "frag", 30, 100, 23);
        List<String[]> seconds = new ArrayList<>();
        for (String[] r : firsts) {
            seconds.add(new String[] {r[0], ApeReads.mate(HUMAN, r[1], 300, 100)});
        }
        Files.writeString(tmp.resolve("S1_R1.fastq"), fastq(firsts));
        Files.write(tmp.resolve("S1_R2.fastq.gz"), gzip(fastq(seconds)));
        List<String[]> mix = new ArrayList<>(reads(GORILLA, "g", 12, 150, 53));
        mix.addAll(reads(HUMAN, "h", 11, 150, 61));
        Files.writeString(tmp.resolve("mix.fq"), fastq(mix));
        Path sheet = Files.writeString(tmp.resolve("samples.tsv"),
                "sample\tfile\tfile2\nS1\tS1_R1.fastq\tS1_R2.fastq.gz\nMIX\tmix.fq\t\n");
        Path out = tmp.resolve("out");
        Cli.Run run = Cli.run(args("--sample-sheet", sheet.toString(), "--out", out.toString()));
        assertEquals(0, run.code(), run.err());

        List<String[]> predictions = rows(Files.readString(out.resolve("predictions.tsv")));
        assertEquals(30 + 23, predictions.size(), "one call per pair: 30 pairs and 23 single reads");
        assertTrue(predictions.stream().filter(f -> f[1].equals("S1")).allMatch(f -> f[0].matches("frag-\\d+")), "pairs named without /1, /2");
        Map<String, String[]> samples = new HashMap<>();
        rows(Files.readString(out.resolve("samples.tsv"))).forEach(f -> samples.put(f[0], f));
        assertEquals("30", samples.get("S1")[1]);
        assertEquals("human", samples.get("S1")[2]);
        assertEquals("no", samples.get("S1")[4]);
        assertEquals("23", samples.get("MIX")[1]);
        assertEquals("yes", samples.get("MIX")[4], String.join("\t", samples.get("MIX")));
        assertTrue(samples.get("MIX")[5].matches("(gorilla|human):0\\.\\d+,(gorilla|human):0\\.\\d+.*"), samples.get("MIX")[5]);
        assertTrue(run.out().contains("; 1 mixed samples"), run.out());

        // The Kraken2-style report: the human clade holds S1's classified pairs, from the species up to the root.
        List<String> kraken = Files.readAllLines(out.resolve("kraken/S1.kreport"));
        assertTrue(kraken.get(0).startsWith("# scanflow "), kraken.get(0));
        long classified = predictions.stream().filter(f -> f[1].equals("S1") && !f[2].equals("unclassified")).count();
        assertTrue(kraken.contains(String.format(java.util.Locale.ROOT, "%6.2f\t%d\t%d\tS\t9606\t                Homo sapiens",
                100.0 * classified / 30, classified, classified)), String.join("\n", kraken));
        assertTrue(kraken.stream().anyMatch(l -> l.matches(" *[\\d.]+\t" + classified + "\t0\tR\t1\troot")), String.join("\n", kraken));
        // No truth (no labels in these read names): the composition chart, no confusion matrix, no per-sample accuracy.
        String png = new String(Files.readAllBytes(out.resolve("composition.png")), StandardCharsets.ISO_8859_1);
        assertTrue(png.startsWith("\u0089PNG") && png.contains("tEXtSource\0scanflow ") && png.contains("sha256:"),
                "the provenance in a PNG text chunk");
        assertFalse(Files.exists(out.resolve("confusion.png")));
        assertFalse(run.out().contains("per-sample accuracy"), run.out());
        assertTrue(Files.readString(out.resolve("report.md")).startsWith("> scanflow "));
    }

    @Test
    void aRegionOfTheDemoBamClassifiesTheReadsThatOverlapIt() throws IOException {
        Path bam = repo().resolve("testdata/genomics/ape-demo.bam");
        int expected = 0;
        try (SamReader reader = SamReaderFactory.makeDefault().open(bam)) {
            for (SAMRecord r : reader) {
                expected += HUMAN.equals(r.getContig()) && r.getAlignmentStart() <= 400 && r.getAlignmentEnd() >= 300 ? 1 : 0;
            }
        }
        Path out = tmp.resolve("out");
        Cli.Run run = Cli.run(args("--input", bam.toString(), "--region", HUMAN + ":300-400", "--out", out.toString(),
                "--min-probability", "0"));
        assertEquals(0, run.code(), run.err());
        List<String[]> predictions = rows(Files.readString(out.resolve("predictions.tsv")));
        assertEquals(expected, predictions.size());
        assertTrue(predictions.stream().allMatch(f -> f[0].startsWith("human.apes.")), "only reads of that region");
        assertTrue(Files.exists(out.resolve("confusion.png")), "the read names carry the truth");
    }

    @Test
    void anUnmappedBamWithTwoReadGroupsIsTwoSamples() throws IOException {
        SAMFileHeader header = new SAMFileHeader();
        header.setSortOrder(SAMFileHeader.SortOrder.unsorted);
        for (String rg : List.of("A", "B")) {
            SAMReadGroupRecord g = new SAMReadGroupRecord("rg" + rg);
            g.setSample("patient" + rg);
            header.addReadGroup(g);
        }
        Path bam = tmp.resolve("unmapped.bam");
        try (SAMFileWriter w = new SAMFileWriterFactory().makeBAMWriter(header, false, bam)) {
            addUnmapped(w, header, "rgA", reads(HUMAN, "a", 10, 150, 41));
            addUnmapped(w, header, "rgB", reads("orangutan.apes.Pongo_pygmaeus", "b", 10, 150, 41));
        }
        Path out = tmp.resolve("out");
        Cli.Run run = Cli.run(args("--input", bam.toString(), "--out", out.toString()));
        assertEquals(0, run.code(), run.err());
        List<String[]> samples = rows(Files.readString(out.resolve("samples.tsv")));
        assertEquals(List.of("patientA\t10\thuman", "patientB\t10\torangutan"),
                samples.stream().map(f -> f[0] + "\t" + f[1] + "\t" + f[2]).toList());
    }

    @Test
    void aLongReadIsClassifiedInWindowsWithOneCallForTheRead() throws IOException {
        // 12 kb of gorilla mtDNA (its two reference segments, over and over, as a long read would span a genome).
        String gorilla = ApeReads.references().get(GORILLA) + ApeReads.references().get("gorilla.primates.Gorilla");
        String longRead = gorilla.repeat(12_000 / gorilla.length() + 1).substring(0, 12_000);
        List<String[]> reads = new ArrayList<>();
        reads.add(new String[] {"nanopore-1", longRead});
        reads.addAll(reads(HUMAN, "short", 1, 150, 0));
        Path fastq = Files.writeString(tmp.resolve("long.fastq"), fastq(reads));
        Path out = tmp.resolve("out");
        Cli.Run run = Cli.run(args("--input", fastq.toString(), "--out", out.toString()));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("dna-classify: 81 reads in 1 samples; 0 of 2 fragments unclassified"),
                "80 windows of 150 bases and the short read, two calls: " + run.out());
        List<String[]> predictions = rows(Files.readString(out.resolve("predictions.tsv")));
        assertEquals(2, predictions.size());
        assertEquals("nanopore-1", predictions.get(0)[0]);
        assertEquals("gorilla", predictions.get(0)[2]);
        assertTrue(Float.parseFloat(predictions.get(0)[3]) > 0.5, "the share of windows called gorilla");
        assertEquals("short-0", predictions.get(1)[0]);
    }

    private static void addUnmapped(SAMFileWriter w, SAMFileHeader header, String readGroup, List<String[]> reads) {
        for (String[] r : reads) {
            SAMRecord rec = new SAMRecord(header);
            rec.setReadName(r[0]);
            rec.setReadUnmappedFlag(true);
            rec.setReadString(r[1]);
            rec.setBaseQualityString("I".repeat(r[1].length()));
            rec.setAttribute("RG", readGroup);
            w.addAlignment(rec);
        }
    }
}
