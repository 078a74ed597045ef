package io.scanflow.jobs.dna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.jobs.cli.ScanflowCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main demo, end to end on embedded Flink: the shipped model on the shipped demo BAM. */
class DnaClassifyJobTest {

    @TempDir
    Path tmp;

    private static Path repo() {
        return Path.of(System.getProperty("scanflow.testdata", "../testdata")).toAbsolutePath().getParent();
    }

    @Test
    void demoBamIsClassifiedPerReadAndPerSampleWithTheSpecifiedFiles() throws IOException {
        Path out = tmp.resolve("out");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        picocli.CommandLine cli = ScanflowCommand.newCommandLine();
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));
        int code = cli.execute("dna-classify", "--model", repo().resolve("models/dna-apes").toString(),
                "--input", repo().resolve("testdata/genomics/ape-demo.bam").toString(), "--out", out.toString(),
                "--parallelism", "2");
        assertEquals(0, code, stderr.toString());
        assertTrue(stderr.toString().contains("reads classified"), "progress on the terminal: " + stderr);

        List<String> predictions = Files.readAllLines(out.resolve("predictions.tsv"));
        assertTrue(predictions.get(0).startsWith("# scanflow "), "provenance first: " + predictions.get(0));
        assertEquals("read_id\tsample\tpredicted\tprobability\tbest", predictions.get(1));
        assertEquals(2 + 1080, predictions.size());
        int correct = 0;
        int unclassified = 0;
        for (String line : predictions.subList(2, predictions.size())) {
            String[] f = line.split("\t");
            assertEquals(5, f.length, line);
            assertTrue(f[1].matches("D\\d\\d"), "sample is the read group: " + line);
            float p = Float.parseFloat(f[3]);
            assertTrue(p > 0 && p <= 1, line);
            assertEquals(p >= 0.9 ? f[4] : "unclassified", f[2], "the call is the best label from probability 0.9: " + line);
            correct += f[0].substring(0, f[0].indexOf('.')).equals(f[4]) ? 1 : 0;
            unclassified += f[2].equals("unclassified") ? 1 : 0;
        }
        double accuracy = correct / 1080.0;
        assertTrue(accuracy >= 0.97, "per-read accuracy of the best label " + accuracy);
        assertTrue(unclassified < 0.05 * 1080, "reads of known species mostly stay classified: " + unclassified + " unclassified");

        Map<String, String> truth = new HashMap<>();
        for (String line : Files.readAllLines(repo().resolve("testdata/genomics/ape-demo-samples.tsv")).subList(1, 19)) {
            String[] f = line.split("\t");
            truth.put(f[0], f[2]);
        }
        List<String> samples = Files.readAllLines(out.resolve("samples.tsv"));
        assertEquals("sample\tfragments\tpredicted\tfraction\tmixture\tcomposition", samples.get(1));
        assertEquals(2 + 18, samples.size());
        for (String line : samples.subList(2, samples.size())) {
            String[] f = line.split("\t");
            assertEquals("60", f[1], line);
            assertEquals(truth.get(f[0]), f[2], "sample call: " + line);
            assertEquals("no", f[4], "a pure sample is no mixture: " + line);
            assertTrue(f[5].matches("[a-z_]+:[01]\\.\\d{3}(,[a-z_]+:[01]\\.\\d{3})*") && f[5].startsWith(f[2] + ":" + f[3]), line);
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("per fragment: **"), report);
        assertTrue(report.contains("| chimpanzee |"), report);
        assertTrue(Files.readString(out.resolve("kraken/D01.kreport")).contains("\tO\t9443\t          Primates\n"));
        byte[] png = Files.readAllBytes(out.resolve("confusion.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertTrue(stdout.toString().contains("per-sample accuracy 100.0%"), stdout.toString());
    }

    @Test
    void badInputIsReportedByNameAndTheOtherReadsAreClassified() throws Exception {
        Path fastq = tmp.resolve("reads.fastq");
        String human = "AGAAATATGTCTGATAAAAGAGTTACTTTGATAGAGTAAATAATAGGAGCTTAAACCCCCTTATTTCTACTAGGACTATGAGAATCGAACCCATCCCTGAG";
        Files.writeString(fastq, "@human.r1\n" + human + "\n+\n" + "I".repeat(human.length()) + "\n"
                + "@empty\n\n+\n\n"
                + "@odd\nACGTXACGT\n+\nIIIIIIIII\n"
                + "@human.r2\n" + human.substring(10) + "\n+\n" + "I".repeat(human.length() - 10) + "\n");
        Path notBam = tmp.resolve("broken.bam");
        Files.writeString(notBam, "this is not a BAM file\n");
        Path out = tmp.resolve("out");
        DnaClassifyJob.Settings s = DnaClassifyJob.settings(List.of(fastq, notBam), repo().resolve("models/dna-apes"));
        StringWriter progress = new StringWriter();
        ClassificationReport.Summary summary = DnaClassify.run(StreamExecutionEnvironment.createLocalEnvironment(2), s, null, out,
                new PrintWriter(progress));
        assertEquals(2, summary.reads());
        assertEquals(2, summary.correct(), "both human reads are human");
        List<String> predictions = Files.readAllLines(out.resolve("predictions.tsv"));
        assertTrue(predictions.get(2).startsWith("human.r1\treads.fastq\thuman\t"), predictions.toString());
        List<String> bad = Files.readAllLines(out.resolve("bad-input.tsv"));
        assertTrue(bad.remove(0).startsWith("# scanflow "), "provenance first");
        assertEquals(List.of("file\trecord\tfield\tproblem\trecords_lost",
                "broken.bam\theader\tmagic\texpected a BGZF block (bytes 1f 8b 08 04), found bytes 74 68 69 73\tunknown",
                "reads.fastq\tempty\tsequence\texpected bases, found none\t1",
                "reads.fastq\todd\tsequence\tunknown character 'X' at position 5 (expected A, C, G, T, N or another IUPAC nucleotide code)\t1"),
                bad.subList(0, 1).isEmpty() ? bad : sorted(bad));
        assertTrue(progress.toString().contains("bad input: reads.fastq: record 'odd': field 'sequence'"), progress.toString());
    }

    @Test
    void inputsThatShareAFileNameStaySeparateSamples() throws Exception {
        // The same reads under the same file name in two folders: were they keyed by the bare file name,
        // they would become one sample and their reads (same ids) one stream each.
        String human = "AGAAATATGTCTGATAAAAGAGTTACTTTGATAGAGTAAATAATAGGAGCTTAAACCCCCTTATTTCTACTAGGACTATGAGAATCGAACCCATCCCTGAG";
        StringBuilder fastq = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            String bases = human.substring(i);
            fastq.append("@human.r").append(i).append('\n').append(bases).append("\n+\n").append("I".repeat(bases.length()))
                    .append('\n');
        }
        Path a = Files.createDirectories(tmp.resolve("run1/a")).resolve("reads.fastq");
        Path b = Files.createDirectories(tmp.resolve("run1/b")).resolve("reads.fastq");
        Files.writeString(a, fastq);
        Files.writeString(b, fastq);
        Path out = tmp.resolve("out");
        DnaClassifyJob.Settings s = DnaClassifyJob.settings(List.of(a, b), repo().resolve("models/dna-apes"));
        ClassificationReport.Summary summary = DnaClassify.run(StreamExecutionEnvironment.createLocalEnvironment(2), s, null,
                out, new PrintWriter(new StringWriter()));
        assertEquals(6, summary.reads());
        assertEquals(2, summary.samples());
        List<String> samples = sorted(Files.readAllLines(out.resolve("samples.tsv")).subList(1, 4));
        assertEquals(3, samples.size(), samples.toString());
        assertTrue(samples.get(1).startsWith("a/reads.fastq\t3\t"), samples.toString());
        assertTrue(samples.get(2).startsWith("b/reads.fastq\t3\t"), samples.toString());
        List<String> predictions = Files.readAllLines(out.resolve("predictions.tsv"));
        assertEquals(2 + 6, predictions.size(), predictions.toString());
        assertEquals(3, predictions.stream().filter(p -> p.contains("\ta/reads.fastq\t")).count(), predictions.toString());
        assertTrue(Files.readString(out.resolve("report.md")).contains("a/reads.fastq, b/reads.fastq"));
    }

    private static List<String> sorted(List<String> lines) {
        List<String> body = new java.util.ArrayList<>(lines.subList(1, lines.size()));
        java.util.Collections.sort(body);
        body.add(0, lines.get(0));
        return body;
    }
}
