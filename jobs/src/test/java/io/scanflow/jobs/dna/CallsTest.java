package io.scanflow.jobs.dna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.genomics.io.DnaRead;
import io.scanflow.genomics.io.InputRole;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From read predictions to calls, compositions and Kraken reports; the sample sheet; long-read windows. */
class CallsTest {
    @TempDir
    Path tmp;

    private static ReadPrediction p(String id, String sample, String label, double probability) {
        return new ReadPrediction(id, sample, label, (float) probability, 100);
    }

    @Test
    void aFragmentBelowTheThresholdIsUnclassifiedAndMatesAreOneFragment() {
        List<Call> calls = Calls.of(List.of(p("a", "S", "human", 0.95), p("b", "S", "human", 0.5),
                p("pair/1", "S", "gorilla", 0.99), p("pair/2", "S", "gorilla", 0.91),
                p("split/1", "S", "gorilla", 0.99), p("split/2", "S", "human", 0.97),
                p("alone/2", "S", "lemur", 0.99)), 0.9);
        assertEquals(List.of("a\thuman\thuman", "alone/2\tlemur\tlemur", "b\tunclassified\thuman", "pair\tgorilla\tgorilla",
                "split\tunclassified\tgorilla"), calls.stream().map(c -> c.id() + "\t" + c.call() + "\t" + c.best()).toList());
        assertEquals(0.95f, calls.get(3).probability(), 1e-6, "agreeing mates: their mean");
        assertEquals(0.495f, calls.get(4).probability(), 1e-6, "mates that disagree: half the larger");
        assertEquals(2, calls.get(3).reads());
        assertEquals(200, calls.get(3).bases());
    }

    @Test
    void aLongReadIsCalledFromItsWindows() {
        List<ReadPrediction> windows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            windows.add(p("long/w" + (150 * i + 1) + "-" + 150 * (i + 1), "S", i < 7 ? "human" : "bonobo", 0.99));
            windows.add(p("even/w" + (150 * i + 1) + "-" + 150 * (i + 1), "S", i < 5 ? "human" : "bonobo", 0.99));
        }
        List<Call> calls = Calls.of(windows, 0.9);
        assertEquals(List.of("even\tunclassified\t0.5", "long\thuman\t0.7"),
                calls.stream().map(c -> c.id() + "\t" + c.call() + "\t" + c.probability()).toList());
        assertEquals(10, calls.get(1).reads());
        assertEquals(1000, calls.get(1).bases());
    }

    @Test
    void longReadsAreCutIntoWindowsAndShortReadsPass() {
        List<DnaRead> out = new ArrayList<>();
        Collector<DnaRead> collector = new Collector<>() {
            @Override
            public void collect(DnaRead r) {
                out.add(r);
            }

            @Override
            public void close() {
            }
        };
        LongReadWindows windows = new LongReadWindows(150, 150);
        windows.flatMap(new DnaRead("f", "short", "S", "A".repeat(LongReadWindows.LONG_READ), 0), collector);
        windows.flatMap(new DnaRead("f", "long", "S", "ACGT".repeat(625), 1), collector);
        assertEquals(1 + 17, out.size(), "2,500 bases: 16 windows of 150 and one of 100");
        assertEquals("short", out.get(0).id());
        assertEquals("long/w1-150", out.get(1).id());
        assertEquals("long/w2401-2500", out.get(17).id());
        assertEquals(100, out.get(17).bases().length());
    }

    @Test
    void aSampleIsAMixtureWhenASecondSpeciesPassesTheThreshold() {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(new Call("g" + i, "MIX", "gorilla", 0.99f, "gorilla", 100, 1));
        }
        for (int i = 0; i < 11; i++) {
            calls.add(new Call("h" + i, "MIX", "human", 0.99f, "human", 100, 1));
        }
        for (int i = 0; i < 19; i++) {
            calls.add(new Call("p" + i, "PURE", i == 0 ? "chimpanzee" : i < 4 ? Calls.UNCLASSIFIED : "bonobo", 0.99f, "bonobo", 100, 1));
        }
        List<SampleComposition> samples = SampleComposition.of(calls);
        SampleComposition mix = samples.get(0);
        assertEquals("gorilla:0.522,human:0.478", mix.composition());
        assertTrue(mix.mixture(0.1));
        assertEquals("gorilla", mix.predicted());
        SampleComposition pure = samples.get(1);
        assertEquals("bonobo:0.789,unclassified:0.158,chimpanzee:0.053", pure.composition());
        assertFalse(pure.mixture(0.1), "one chimpanzee read in 19 is no mixture");
        assertTrue(pure.mixture(0.05));
    }

    @Test
    void onlySamplesWhoseTruthIsGivenCountInThePerSampleAccuracy() {
        List<String> labels = List.of("human", "gorilla");
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            calls.add(new Call("human.pure-" + i, "PURE", "human", 0.99f, "human", 100, 1));
            // A multi-species FASTA as one sample: its windows' true labels differ, so it has no truth of its own.
            String label = i % 2 == 0 ? "human" : "gorilla";
            calls.add(new Call(label + ".fasta-" + i, "FASTA", "gorilla", 0.99f, "gorilla", 100, 1));
            calls.add(new Call("read-" + i, "UNKNOWN", "human", 0.99f, "human", 100, 1));
        }
        calls.sort(java.util.Comparator.comparing(Call::sample).thenComparing(Call::id));
        ClassificationReport.Scores scores = new ClassificationReport.Scores(labels, new Truth(labels), calls,
                SampleComposition.of(calls));
        assertEquals(1, scores.samplesScored());
        assertEquals(1, scores.samplesCorrect());
        assertEquals("human", scores.truthOf("PURE"));
        assertEquals(null, scores.truthOf("FASTA"));
        assertEquals(null, scores.truthOf("UNKNOWN"));
        assertEquals(120, scores.withTruth(), "the reads still count one by one");
        assertEquals(60 + 30, scores.correct());
    }

    @Test
    void theKrakenReportCountsEachCladeFromTheSpeciesToTheRoot() throws IOException {
        List<String> labels = List.of("human", "chimpanzee", "bonobo", "gorilla", "orangutan", "gibbon", "macaque",
                "squirrel_monkey", "tarsier", "lemur");
        Taxonomy taxonomy = Taxonomy.load(ApeReads.model(), labels).orElseThrow();
        List<Call> calls = new ArrayList<>();
        String[] called = {"human", "human", "human", "bonobo", "macaque", Calls.UNCLASSIFIED};
        for (int i = 0; i < called.length; i++) {
            calls.add(new Call("r" + i, "S", called[i], 0.99f, "human", 100, 1));
        }
        StringWriter w = new StringWriter();
        new KrakenReport(taxonomy).write(w, SampleComposition.of(calls).get(0));
        assertEquals(String.join("\n",
                " 16.67\t1\t1\tU\t0\tunclassified",
                " 83.33\t5\t0\tR\t1\troot",
                " 83.33\t5\t0\tD\t2759\t  Eukaryota",
                " 83.33\t5\t0\tK\t33208\t    Metazoa",
                " 83.33\t5\t0\tP\t7711\t      Chordata",
                " 83.33\t5\t0\tC\t40674\t        Mammalia",
                " 83.33\t5\t0\tO\t9443\t          Primates",
                " 66.67\t4\t0\tF\t9604\t            Hominidae",
                " 50.00\t3\t0\tG\t9605\t              Homo",
                " 50.00\t3\t3\tS\t9606\t                Homo sapiens",
                " 16.67\t1\t0\tG\t9596\t              Pan",
                " 16.67\t1\t1\tS\t9597\t                Pan paniscus",
                " 16.67\t1\t0\tF\t9527\t            Cercopithecidae",
                " 16.67\t1\t1\tG\t9539\t              Macaca") + "\n", w.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aTaxonomyThatMissesAModelLabelIsRefusedByLine() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(model.resolve(Taxonomy.FILE), "1\t0\tR\troot\t\n9606\t1\tS\tHomo sapiens\thuman\n9598\t1\tX\tPan\tchimpanzee\n");
        String message = assertThrows(IllegalArgumentException.class, () -> Taxonomy.load(model, List.of("human", "chimpanzee")))
                .getMessage();
        assertEquals(model.resolve(Taxonomy.FILE) + ": line 3: field 'rank': expected one of", message.substring(0, message.indexOf(" [")));
        Files.writeString(model.resolve(Taxonomy.FILE), "1\t0\tR\troot\t\n9606\t1\tS\tHomo sapiens\thuman\n");
        assertEquals(model.resolve(Taxonomy.FILE) + ": expected a line for the model label 'chimpanzee', found none",
                assertThrows(IllegalArgumentException.class, () -> Taxonomy.load(model, List.of("human", "chimpanzee"))).getMessage());
    }

    @Test
    void aSampleSheetNamesSamplesAndMatesAndItsErrorsByLineAndField() throws IOException {
        Path sheet = Files.writeString(tmp.resolve("sheet.tsv"), "# run 7\nsample\tfile\tfile2\nS1\tr1.fq.gz\tr2.fq.gz\nS2\tb.bam\t\n");
        SampleSheet s = SampleSheet.load(sheet);
        assertEquals(List.of(tmp.resolve("r1.fq.gz"), tmp.resolve("r2.fq.gz"), tmp.resolve("b.bam")), s.files());
        assertEquals(new InputRole("S1", 2), s.roles().get(tmp.resolve("r2.fq.gz").toString()));
        assertEquals(new InputRole("S2", 0), s.roles().get(tmp.resolve("b.bam").toString()));

        Files.writeString(sheet, "sample\treads\n");
        assertEquals(sheet + ": line 1: expected the header 'sample<TAB>file' or 'sample<TAB>file<TAB>file2', found"
                + " 'sample<TAB>reads'", assertThrows(IllegalArgumentException.class, () -> SampleSheet.load(sheet)).getMessage());
        Files.writeString(sheet, "sample\tfile\nS1\t\n");
        assertEquals(sheet + ": line 2: field 'file': expected a reads file, found none",
                assertThrows(IllegalArgumentException.class, () -> SampleSheet.load(sheet)).getMessage());
        Files.writeString(sheet, "sample\tfile\nS1\ta.fq\nS2\ta.fq\n");
        assertEquals(sheet + ": line 3: field 'file': a.fq is already listed for sample S1",
                assertThrows(IllegalArgumentException.class, () -> SampleSheet.load(sheet)).getMessage());
    }

    @Test
    void theProvenanceLineQuotesArgumentsAndFingerprintsTheModel() {
        Provenance p = Provenance.of(List.of("dna-classify", "--input", "my reads.fq", "--out", "-"), ApeReads.model());
        assertTrue(p.line().startsWith("scanflow "), p.line());
        assertTrue(p.line().contains("; command: scanflow dna-classify --input 'my reads.fq' --out -; model: dna-apes sha256:"),
                p.line());
        assertEquals(64, p.modelSha256().length());
        assertEquals(p.modelSha256(), Provenance.fingerprint(ApeReads.model()), "the same files, the same fingerprint");
    }
}
