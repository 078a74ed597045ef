package io.scanflow.jobs.corpus;

import static io.scanflow.jobs.corpus.Inputs.DNA_MODEL;
import static io.scanflow.jobs.corpus.Inputs.fastq;
import static io.scanflow.jobs.corpus.Inputs.gzip;
import static io.scanflow.jobs.corpus.Inputs.poisoned;
import static io.scanflow.jobs.corpus.Inputs.tinyModel;
import static io.scanflow.jobs.corpus.Inputs.tokens;
import static io.scanflow.jobs.corpus.Inputs.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged, odd and careless input, one case each: what the user typed, the exit code, the key words
 * of the one line the command prints (stderr on failure, stdout on success), and the records that
 * must still come out (rows of an output file, counted). Every case is a regression test of a run that
 * once gave a wrong answer, lost records or an unclear message.
 */
class HostileInputCorpusTest {
    @TempDir
    Path tmp;

    /**
     * @param args    the command line, given a fresh folder for the case's files
     * @param exit    the expected exit code
     * @param words   words the message must hold
     * @param records output file (relative to the case's folder) -> rows it must have, header included (and
     *                dna-classify's provenance line)
     */
    record Case(String name, Function<Path, List<String>> args, int exit, List<String> words, Map<String, Integer> records) {}

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Weights
        c.add(new Case("NaN in a weight of the DNA classifier", d -> dna(d, "--model",
                poisoned(DNA_MODEL, d.resolve("m"), Float.NaN).toString(), "--input", write(d.resolve("r.fastq"), fastq(2)).toString()),
                1, List.of("backbone.embeddings.weight", "model.safetensors", "expected finite values, found NaN at index 0"),
                Map.of()));
        c.add(new Case("infinity in a weight, logits", d -> List.of("logits", "--model",
                poisoned(tinyModel(), d.resolve("m"), Float.NEGATIVE_INFINITY).toString(), "--tokens",
                tokens(d.resolve("t.i32"), 1, 4, 1).toString(), "--batch", "1", "--out", d.resolve("l.f32").toString()),
                1, List.of("backbone.embeddings.weight", "found -Infinity at index 0"), Map.of()));
        // Reads
        c.add(new Case("a bad read under --bad-records fail", d -> dna(d, "--bad-records", "fail", "--input",
                write(d.resolve("bad.fastq"), fastq(2) + "@odd\nACGXT\n+\nIIIII\n").toString()),
                1, List.of("bad.fastq", "record 'odd'", "field 'sequence'", "'X'"), Map.of()));
        for (String empty : List.of("e.fastq", "e.fa", "e.sam", "e.bam", "e.cram")) {
            c.add(new Case("an empty " + empty, d -> dna(d, "--input", write(d.resolve(empty), new byte[0]).toString()),
                    0, List.of("0 reads in 0 samples"), Map.of("out/predictions.tsv", 2, "out/samples.tsv", 2)));
        }
        c.add(new Case("an empty .fa.gz", d -> dna(d, "--input", write(d.resolve("e.fa.gz"), gzip(new byte[0])).toString()),
                0, List.of("0 reads in 0 samples"), Map.of("out/predictions.tsv", 2)));
        c.add(new Case("a SAM parse error with a line break stays one row of bad-input.tsv", d -> dna(d, "--input",
                write(d.resolve("r.sam"), "@HD\tVN:1.6\nr1\t4\t*\t0\t0\t*\t*\t0\t0\t" + Inputs.HUMAN + "\t*\nbroken\tline\n").toString()),
                0, List.of("1 reads in 1 samples"), Map.of("out/predictions.tsv", 3, "out/bad-input.tsv", 3)));
        c.add(new Case("a zeroed gzip magic in BGZF block 4 of the demo BAM", d -> dna(d, "--input",
                write(d.resolve("magic.bam"), Inputs.zeroedMagic(4)).toString()),
                0, List.of("reads in"), Map.of("out/bad-input.tsv", 3, "out/predictions.tsv", 846)));
        c.add(new Case("200 garbled bytes in a BGZF block of the demo BAM", d -> dna(d, "--input",
                write(d.resolve("garbled.bam"), Inputs.garbledBlock(3)).toString()),
                0, List.of("reads in"), Map.of("out/bad-input.tsv", 3)));
        byte[] wholeGz = gzip(Inputs.randomFastq(100, 7).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] cutGz = java.util.Arrays.copyOf(wholeGz, wholeGz.length / 2);
        int wholeBeforeCut = Inputs.wholeFastqRecords(cutGz);
        c.add(new Case("a truncated .fastq.gz keeps its " + wholeBeforeCut + " whole reads", d -> dna(d, "--input",
                write(d.resolve("cut.fastq.gz"), cutGz).toString()),
                0, List.of(wholeBeforeCut + " reads in 1 samples"),
                Map.of("out/predictions.tsv", 2 + wholeBeforeCut, "out/bad-input.tsv", 3)));
        c.add(new Case("two inputs named reads.fastq stay two samples", d -> {
            List<String> args = dna(d, "--input", write(d.resolve("a/reads.fastq"), fastq(2)).toString());
            args.add(write(d.resolve("b/reads.fastq"), fastq(2)).toString());
            return args;
        },
                0, List.of("4 reads in 2 samples"), Map.of("out/samples.tsv", 4, "out/predictions.tsv", 6)));
        // Paths
        // Audio: one good clip beside damaged ones; the good clip is classified, each damaged one is a named row.
        c.add(new Case("a WAV cut short, a text file named .wav and a WAV with no samples beside a good clip", d -> {
            Path in = d.resolve("in");
            byte[] good = readAll(DIGIT_CLIP);
            write(in.resolve("good.wav"), good);
            write(in.resolve("cut.wav"), java.util.Arrays.copyOf(good, good.length / 3));
            write(in.resolve("notes.wav"), "these are my notes, not audio");
            write(in.resolve("silent.wav"), java.util.Arrays.copyOf(good, 44));
            return List.of("audio-classify", "--model", DIGIT_MODEL.toString(), "--input", in.toString(),
                    "--out", d.resolve("out").toString(), "--progress", "off");
        }, 0, List.of(), Map.of("out/streams.tsv", 2, "out/errors.tsv", 4)));
        c.add(new Case("--out with a space, #, % and a non-ASCII letter", d -> List.of("dna-classify", "--model",
                DNA_MODEL.toString(), "--input", write(d.resolve("in ü #1/r 50%.fastq"), fastq(3)).toString(), "--out",
                d.resolve("out ü #1 50%").toString(), "--progress", "off"),
                0, List.of("3 reads in 1 samples"), Map.of("out ü #1 50%/predictions.tsv", 5)));
        c.add(new Case("--out on an existing file", d -> dna(d, "--out", write(d.resolve("taken"), "x").toString(),
                "--input", write(d.resolve("r.fastq"), fastq(1)).toString()),
                1, List.of("--out", "taken", "is a file, not a folder"), Map.of()));
        c.add(new Case("--tokens missing", d -> List.of("stream-classify", "--model", tinyModel().toString(), "--tokens",
                d.resolve("no such.i32").toString(), "--batch", "1", "--out", d.resolve("out").toString()),
                1, List.of("--tokens", "no such.i32", "no such file"), Map.of()));
        c.add(new Case("--tokens a folder", d -> List.of("generate", "--model", tinyModel().toString(), "--tokens",
                d.toString(), "--batch", "1", "--max-new", "1", "--out", d.resolve("g.i32").toString()),
                1, List.of("--tokens", "is a folder, expected a file"), Map.of()));
        c.add(new Case("--out in a missing folder", d -> List.of("generate", "--model", tinyModel().toString(), "--tokens",
                tokens(d.resolve("t.i32"), 1, 4, 1).toString(), "--batch", "1", "--max-new", "1", "--out",
                d.resolve("missing/g.i32").toString()),
                1, List.of("--out", "missing", "does not exist"), Map.of()));
        // Sizes
        c.add(new Case("--max-new beyond an array", d -> generate(d, "2147483647"),
                1, List.of("--max-new 2147483647", "more than one array holds"), Map.of()));
        c.add(new Case("--max-new beyond the heap", d -> generate(d, "1000000000"),
                1, List.of("--max-new 1000000000", "of memory, more than 75% of this JVM's"), Map.of()));
        c.add(new Case("--chunk far beyond the sequences", d -> List.of("stream-classify", "--model", tinyModel().toString(),
                "--tokens", tokens(d.resolve("t.i32"), 2, 4, 1).toString(), "--batch", "2", "--chunk", "2147483647",
                "--per-chunk", "--checkpoint-interval", "200ms", "--progress", "off", "--out", d.resolve("out").toString()),
                0, List.of("done"), Map.of("out/predictions.tsv", 3)));
        c.add(new Case("logits with --chunk far beyond the sequence", d -> List.of("logits", "--model", tinyModel().toString(),
                "--tokens", tokens(d.resolve("t.i32"), 2, 4, 1).toString(), "--batch", "2", "--chunk", "2147483647",
                "--out", d.resolve("l.f32").toString()),
                0, List.of("done"), Map.of()));
        c.add(new Case("--seconds beyond a WAV file", d -> List.of("audio-generate", "--model", MULAW.toString(), "--sessions",
                "1", "--seconds", "1e12", "--out", d.resolve("out").toString()),
                1, List.of("--seconds 1.0E12", "more than a 16-bit WAV file holds"), Map.of()));
        c.add(new Case("--sessions beyond the heap", d -> List.of("audio-generate", "--model", MULAW.toString(), "--sessions",
                "100000000", "--seconds", "1", "--out", d.resolve("out").toString()),
                1, List.of("--sessions 100000000", "of memory"), Map.of()));
        c.add(new Case("d_model 2^31-1 in a state-spaces config", d -> List.of("inspect", "--model", write(d.resolve("m/config.json"),
                "{\"d_model\": 2147483647, \"n_layer\": 1, \"vocab_size\": 16}").getParent().toString()),
                1, List.of("d_model"), Map.of()));
        c.add(new Case("hidden_size beyond an int", d -> List.of("inspect", "--model", write(d.resolve("m/config.json"),
                "{\"model_type\": \"mamba\", \"vocab_size\": 16, \"hidden_size\": 1e12, \"num_hidden_layers\": 1}")
                .getParent().toString()),
                1, List.of("hidden_size", "expected an integer of at most 2147483647"), Map.of()));
        // Settings
        c.add(new Case("a Flink memory size that is not one", d -> classify(d, write(d.resolve("c.yaml"),
                "flink:\n  taskmanager.memory.process.size: banana\n")),
                1, List.of("c.yaml", "taskmanager.memory.process.size", "'banana' is not a valid"), Map.of()));
        c.add(new Case("a Flink setting with a typo", d -> classify(d, write(d.resolve("c.yaml"),
                "flink:\n  paralelism.default: 2\n")),
                1, List.of("'paralelism.default' is not a Flink setting", "did you mean parallelism.default"), Map.of()));
        c.add(new Case("Flink settings that are right", d -> classify(d, write(d.resolve("c.yaml"),
                "flink:\n  parallelism.default: 1\n  taskmanager.memory.managed.size: 64m\n"
                        + "  external-resource.gpu.amount: 0\n")),
                0, List.of("done"), Map.of("out/predictions.tsv", 3)));
        return c;
    }

    static final Path MULAW = Inputs.REPO.resolve("models/mulaw-generator");
    static final Path DIGIT_MODEL = Inputs.REPO.resolve("models/digit-classifier");
    static final Path DIGIT_CLIP = Inputs.TESTDATA.resolve("audio/digits/eight_en-029-m2_p50_s157.wav");

    static List<String> generate(Path d, String maxNew) {
        return List.of("generate", "--model", tinyModel().toString(), "--tokens", tokens(d.resolve("t.i32"), 4, 4, 1).toString(),
                "--batch", "4", "--max-new", maxNew, "--greedy", "--out", d.resolve("g.i32").toString());
    }

    /** stream-classify of two 4-token sequences with the tiny model, with {@code config}. */
    static List<String> classify(Path d, Path config) {
        return List.of("stream-classify", "--config", config.toString(), "--model", tinyModel().toString(), "--tokens",
                tokens(d.resolve("t.i32"), 2, 4, 1).toString(), "--batch", "2", "--checkpoint-interval", "200ms",
                "--progress", "off", "--out", d.resolve("out").toString());
    }

    @Test
    void aSecondRunIntoAFolderInUseIsRefusedAndTheFolderIsFreeAfterwards() throws Exception {
        Path out = tmp.resolve("busy");
        Path reads = write(tmp.resolve("r.fastq"), fastq(2));
        try (AutoCloseable held = hold(out)) {
            Cli.Run r = Cli.run(dna(tmp, "--out", out.toString(), "--input", reads.toString()).toArray(String[]::new));
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("is in use by another scanflow run"), r.err());
            assertFalse(Files.exists(out.resolve("predictions.tsv")), "nothing written");
        }
        Cli.Run r = Cli.run(dna(tmp, "--out", out.toString(), "--input", reads.toString()).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals(4, Files.readAllLines(out.resolve("predictions.tsv")).size());
    }

    @Test
    void aRerunWithoutBadInputLeavesNoStaleBadInputFile() throws IOException {
        Path out = tmp.resolve("rerun");
        Path bad = write(tmp.resolve("bad/r.fastq"), fastq(2) + "@odd\nACGXT\n+\nIIIII\n");
        Path good = write(tmp.resolve("good/r.fastq"), fastq(2));
        assertEquals(0, Cli.run(dna(tmp, "--out", out.toString(), "--input", bad.toString()).toArray(String[]::new)).code());
        assertEquals(3, Files.readAllLines(out.resolve("bad-input.tsv")).size());
        assertEquals(0, Cli.run(dna(tmp, "--out", out.toString(), "--input", good.toString()).toArray(String[]::new)).code());
        assertFalse(Files.exists(out.resolve("bad-input.tsv")), "the first run's bad input is not this run's");
        assertTrue(Files.readString(out.resolve("report.md")).contains("bad input records: 0"));
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the lock a run takes on its output folder, as a run in progress does. */
    private static AutoCloseable hold(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(".scanflow.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        return () -> {
            lock.release();
            channel.close();
        };
    }

    static List<String> dna(Path d, String... more) {
        List<String> args = new ArrayList<>(List.of("dna-classify", "--model", DNA_MODEL.toString(), "--out",
                d.resolve("out").toString(), "--progress", "off"));
        for (int i = 0; i < more.length; i += 2) {
            int at = args.indexOf(more[i]);
            if (at >= 0) {
                args.set(at + 1, more[i + 1]);
            } else {
                args.add(more[i]);
                args.add(more[i + 1]);
            }
        }
        return args;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private void check(Case c) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("case-" + Integer.toHexString(c.name().hashCode())));
        Cli.Run r = Cli.run(c.args().apply(dir).toArray(String[]::new));
        assertEquals(c.exit(), r.code(), c.name() + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        String message = c.exit() == 0 ? r.out() : r.err();
        if (c.exit() != 0) {
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        for (String w : c.words()) {
            assertTrue(message.contains(w), c.name() + ": the message lacks '" + w + "': " + message);
        }
        for (Map.Entry<String, Integer> e : c.records().entrySet()) {
            List<String> rows = Files.readAllLines(dir.resolve(e.getKey()));
            assertEquals(e.getValue(), rows.size(), c.name() + ": rows of " + e.getKey() + ": " + rows);
            List<String> table = rows.get(0).startsWith("# scanflow ") ? rows.subList(1, rows.size()) : rows; // after provenance
            long columns = table.get(0).split("\t", -1).length;
            table.forEach(row -> assertEquals(columns, row.split("\t", -1).length, "a whole row: " + row));
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
