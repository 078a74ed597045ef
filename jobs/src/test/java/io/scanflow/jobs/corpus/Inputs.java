package io.scanflow.jobs.corpus;

import io.scanflow.model.testing.Fixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Small inputs for the hostile-input tests, made in the test: reads, token files, damaged models. */
final class Inputs {
    static final Path TESTDATA = Path.of(System.getProperty("scanflow.testdata", "../testdata")).toAbsolutePath();
    static final Path REPO = TESTDATA.getParent();
    static final Path DNA_MODEL = REPO.resolve("models/dna-apes");
    static final Path DEMO_BAM = TESTDATA.resolve("genomics/ape-demo.bam");
    /** A human mitochondrial read the shipped classifier calls human. */
    static final String HUMAN = "AGAAATATGTCTGATAAAAGAGTTACTTTGATAGAGTAAATAATAGGAGCTTAAACCCCCTTATTTCTACTAGGACTATGAGAATCGAACCCATCCCTGAG";

    private Inputs() {}

    /** FASTQ text of {@code n} good reads named {@code human.r0..}. */
    static String fastq(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String bases = HUMAN.substring(i % 20);
            sb.append("@human.r").append(i).append('\n').append(bases).append("\n+\n").append("I".repeat(bases.length()))
                    .append('\n');
        }
        return sb.toString();
    }

    /** FASTQ text of {@code n} reads of 120 random bases (which gzip cannot shrink much). */
    static String randomFastq(int n, long seed) {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("@r").append(i).append('\n');
            for (int j = 0; j < 120; j++) {
                sb.append("ACGT".charAt(random.nextInt(4)));
            }
            sb.append("\n+\n").append("I".repeat(120)).append('\n');
        }
        return sb.toString();
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String text) {
        return write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** int32 tokens [batch, length], all {@code token}. */
    static Path tokens(Path file, int batch, int length, int token) {
        ByteBuffer b = ByteBuffer.allocate(batch * length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < batch * length; i++) {
            b.putInt(token);
        }
        return write(file, b.array());
    }

    /** A copy of model folder {@code from} whose first weight (the embedding's first value) is {@code value}. */
    static Path poisoned(Path from, Path to, float value) {
        try {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            Path weights = to.resolve("model.safetensors");
            byte[] b = Files.readAllBytes(weights);
            long headerLength = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) (8 + headerLength), value);
            Files.write(weights, b);
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where BGZF block {@code block} (0-based) starts: each block header's BSIZE field is its length - 1. */
    private static int blockStart(byte[] bam, int block) {
        int at = 0;
        for (int i = 0; i < block; i++) {
            at += (ByteBuffer.wrap(bam, at + 16, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff) + 1;
        }
        return at;
    }

    /** The demo BAM with 200 bytes garbled inside its BGZF block number {@code block}. */
    static byte[] garbledBlock(int block) {
        try {
            byte[] bam = Files.readAllBytes(DEMO_BAM);
            int at = blockStart(bam, block);
            for (int i = 0; i < 200; i++) {
                bam[at + 40 + i] = (byte) (i * 37 + 11);
            }
            return bam;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The demo BAM with the gzip magic of BGZF block {@code block} (0-based) zeroed. */
    static byte[] zeroedMagic(int block) {
        try {
            byte[] bam = Files.readAllBytes(DEMO_BAM);
            int at = blockStart(bam, block);
            bam[at] = 0;
            bam[at + 1] = 0;
            return bam;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whole 4-line records in what gunzip recovers from {@code gz} before it fails. */
    static int wholeFastqRecords(byte[] gz) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz), 1)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                text.write(b);
            }
        } catch (IOException expected) {
            // the cut
        }
        return (int) (text.toString(java.nio.charset.StandardCharsets.US_ASCII).chars().filter(ch -> ch == '\n').count() / 4);
    }

    static Path tinyModel() {
        return Fixture.load("mamba1-tied").modelDir;
    }
}
