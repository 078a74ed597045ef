package io.scanflow.jobs.corpus;

import static io.scanflow.jobs.corpus.Inputs.DNA_MODEL;
import static io.scanflow.jobs.corpus.Inputs.tinyModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.BAMFileSpan;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Valid inputs damaged at random: every command either succeeds with the records the damage did not
 * touch, or fails with one clear line (exit 1), and never hangs. The damage is a byte overwritten, a
 * line dropped, the file cut short or lengthened; jqwik prints the seed and the smallest failing
 * damage when a property breaks.
 */
class MutatedInputProperties {
    /** Far beyond any run here: only a hang reaches it. */
    private static final Duration HANG = Duration.ofMinutes(5);
    private static final byte[] ODD_BYTES = {'A', 'X', '@', '+', '\n', '\t', ' ', 0, (byte) 0xff, (byte) 0xc3};

    /** Where to damage ({@code at} in [0, 1) of the file or of the chosen record), how, and with what. */
    record Damage(String kind, double at, int length, byte value) {}

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.of("overwrite", "drop-line", "cut", "append"),
                Arbitraries.doubles().between(0, 0.999).ofScale(3), Arbitraries.integers().between(1, 64), Arbitraries.of(box(ODD_BYTES)))
                .as(Damage::new);
    }

    @Property(tries = 30)
    void aDamagedTokenFileIsComputedOrRefusedInOneLine(@ForAll("damage") Damage d) {
        withDir(dir -> {
            Path tokens = Inputs.tokens(dir.resolve("t.i32"), 2, 6, 3);
            Files.write(tokens, apply(d, Files.readAllBytes(tokens)));
            Path out = dir.resolve("l.f32");
            Cli.Run r = run("logits", "--model", tinyModel().toString(), "--tokens", tokens.toString(), "--batch", "2",
                    "--out", out.toString());
            if (r.code() == 0) {
                long tokenCount = Files.size(tokens) / 4;
                assertEquals(tokenCount * 4 * vocab(), Files.size(out), "[B, L, V] float32 for the tokens there are");
            } else {
                assertOneLine(r, "logits");
            }
        });
    }

    @Property(tries = 5)
    void aDamagedFastqKeepsEveryReadBeforeTheDamage(@ForAll("damage") Damage d, @ForAll("record") int damaged) {
        withDir(dir -> {
            List<String> records = new ArrayList<>();
            for (String record : Inputs.fastq(6).split("(?=@human)")) {
                records.add(record);
            }
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < records.size(); i++) {
                text.append(i == damaged ? new String(apply(d, records.get(i).getBytes(StandardCharsets.ISO_8859_1)),
                        StandardCharsets.ISO_8859_1) : records.get(i));
            }
            Path fastq = Files.write(dir.resolve("r.fastq"), text.toString().getBytes(StandardCharsets.ISO_8859_1));
            Cli.Run r = run("dna-classify", "--model", DNA_MODEL.toString(), "--input", fastq.toString(), "--out",
                    dir.resolve("out").toString(), "--progress", "off", "--parallelism", "1");
            assertEquals(0, r.code(), "bad reads go to the side output: " + r.err());
            Set<String> predicted = idsOf(dir.resolve("out/predictions.tsv"));
            for (int i = 0; i < damaged; i++) {
                assertTrue(predicted.contains("human.r" + i), "read " + i + " came before the damage: " + predicted);
            }
            assertTrue(predicted.size() <= 6, predicted.toString());
            wellFormed(dir.resolve("out/bad-input.tsv"));
        });
    }

    @Provide
    Arbitrary<Integer> record() {
        return Arbitraries.integers().between(0, 5);
    }

    @Property(tries = 4)
    void aDamagedBamLosesOnlyTheReadsAtTheDamage(@ForAll("damage") Damage d) {
        withDir(dir -> {
            byte[] bam = Files.readAllBytes(Inputs.DEMO_BAM);
            List<Long> blocks = blocks(bam);
            // Damage a data block (not the header's first block nor the EOF marker), at a random place in it.
            int block = 1 + (int) (d.at() * (blocks.size() - 3));
            long start = blocks.get(block);
            long size = blocks.get(block + 1) - start;
            int offset = (int) (start + (long) (d.at() * 7919) % size);
            for (int i = 0; i < d.length() && offset + i < start + size; i++) {
                bam[offset + i] ^= (byte) (d.value() | 1);
            }
            Path damaged = Files.write(dir.resolve("d.bam"), bam);
            Cli.Run r = run("dna-classify", "--model", DNA_MODEL.toString(), "--input", damaged.toString(), "--out",
                    dir.resolve("out").toString(), "--progress", "off");
            assertEquals(0, r.code(), r.err());
            Set<String> predicted = idsOf(dir.resolve("out/predictions.tsv"));
            Set<String> before = readsEndingBefore(start);
            Set<String> missing = new HashSet<>(before);
            missing.removeAll(predicted);
            assertEquals(Set.of(), missing, "reads before the damaged block at " + start);
            assertTrue(originalReads().containsAll(predicted), "no read made up from damaged bytes");
            wellFormed(dir.resolve("out/bad-input.tsv"));
        });
    }

    // ---- helpers ----

    private static byte[] apply(Damage d, byte[] data) {
        int at = (int) (d.at() * data.length);
        switch (d.kind()) {
            case "overwrite": {
                byte[] out = data.clone();
                for (int i = at; i < Math.min(data.length, at + d.length()); i++) {
                    out[i] = d.value();
                }
                return out;
            }
            case "drop-line": {
                String s = new String(data, StandardCharsets.ISO_8859_1);
                int lineStart = s.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
                int lineEnd = s.indexOf('\n', at);
                String cut = s.substring(0, lineStart) + (lineEnd < 0 ? "" : s.substring(lineEnd + 1));
                return cut.getBytes(StandardCharsets.ISO_8859_1);
            }
            case "cut":
                return java.util.Arrays.copyOf(data, at);
            default: {
                byte[] out = java.util.Arrays.copyOf(data, data.length + d.length());
                java.util.Arrays.fill(out, data.length, out.length, d.value());
                return out;
            }
        }
    }

    private static Cli.Run run(String... args) {
        return assertTimeoutPreemptively(HANG, () -> Cli.run(args), "the command hung");
    }

    private static void assertOneLine(Cli.Run r, String command) {
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("scanflow " + command + ": "), r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    private static Set<String> idsOf(Path predictions) throws IOException {
        Set<String> ids = new HashSet<>();
        // After the provenance line and the header.
        for (String row : Files.readAllLines(predictions).subList(2, Files.readAllLines(predictions).size())) {
            assertTrue(ids.add(row.split("\t")[0]), "each read once: " + row);
        }
        return ids;
    }

    private static void wellFormed(Path tsv) throws IOException {
        if (Files.exists(tsv)) {
            List<String> rows = Files.readAllLines(tsv);
            assertTrue(rows.get(0).startsWith("# scanflow "), "the provenance line first: " + rows.get(0));
            for (String row : rows.subList(1, rows.size())) {
                assertEquals(5, row.split("\t", -1).length, "a whole row of " + tsv.getFileName() + ": " + row);
            }
        }
    }

    private static int vocab() {
        return io.scanflow.model.testing.Fixture.load("mamba1-tied").vocab;
    }

    private static List<Long> blocks(byte[] bam) {
        List<Long> offsets = new ArrayList<>();
        for (int at = 0; at < bam.length; at += (ByteBuffer.wrap(bam, at + 16, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff) + 1) {
            offsets.add((long) at);
        }
        return offsets;
    }

    private static List<SAMRecord> demoRecords() {
        List<SAMRecord> all = new ArrayList<>();
        try (SamReader reader = SamReaderFactory.makeDefault().enable(SamReaderFactory.Option.INCLUDE_SOURCE_IN_RECORDS)
                .open(Inputs.DEMO_BAM)) {
            for (SAMRecord rec : reader) {
                if (!rec.isSecondaryOrSupplementary()) {
                    all.add(rec);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private static Set<String> originalReads() {
        Set<String> names = new HashSet<>();
        demoRecords().forEach(r -> names.add(r.getReadName()));
        return names;
    }

    /** Reads whose bytes all lie before the block at {@code block} (a compressed offset). */
    private static Set<String> readsEndingBefore(long block) {
        Set<String> names = new HashSet<>();
        for (SAMRecord rec : demoRecords()) {
            BAMFileSpan span = (BAMFileSpan) rec.getFileSource().getFilePointer();
            long end = span.getChunks().get(span.getChunks().size() - 1).getChunkEnd();
            if ((end >>> 16) < block || ((end >>> 16) == block && (end & 0xffff) == 0)) {
                names.add(rec.getReadName());
            }
        }
        return names;
    }

    private static Byte[] box(byte[] b) {
        Byte[] out = new Byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i];
        }
        return out;
    }

    interface InDir {
        void run(Path dir) throws IOException;
    }

    private static void withDir(InDir body) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("scanflow-mutated");
            body.run(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (Stream<Path> all = Files.walk(dir)) {
                    all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary folder left behind
                }
            }
        }
    }
}
