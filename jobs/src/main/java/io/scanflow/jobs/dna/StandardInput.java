package io.scanflow.jobs.dna;

import io.scanflow.jobs.stream.TemporaryFolder;
import io.scanflow.genomics.io.FormatSniffer;
import io.scanflow.genomics.io.GenomicsFormat;
import io.scanflow.genomics.io.Readers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code --input -}: the reads from a pipe, copied into a temporary folder first (the source plans
 * splits and may read a file twice, which a pipe cannot do) and named {@code stdin} plus the ending of
 * the format found in its first bytes ({@code stdin.bam}, {@code stdin.fastq.gz}, ...).
 */
public final class StandardInput implements AutoCloseable {
    private final TemporaryFolder folder;
    private final Path file;

    private StandardInput(TemporaryFolder folder, Path file) {
        this.folder = folder;
        this.file = file;
    }

    /**
     * @throws IllegalArgumentException when the stream holds no recognisable format
     */
    public static StandardInput spool(InputStream in) throws IOException {
        TemporaryFolder folder = TemporaryFolder.create("scanflow-stdin");
        Path raw = folder.path().resolve("stdin");
        try {
            Files.copy(in, raw);
            Optional<GenomicsFormat> format = FormatSniffer.sniff(raw);
            if (format.isEmpty() && !Readers.holdsNothing(raw)) {
                throw new IllegalArgumentException("--input -: standard input: no recognisable format: expected BAM, CRAM,"
                        + " SAM, FASTQ or FASTA (plain or gzipped), found " + Readers.describeHead(raw));
            }
            // An empty stream is zero reads; any format's name will do.
            String ending = format.orElse(GenomicsFormat.FASTQ).extension(FormatSniffer.isGzipped(raw));
            Path named = Files.move(raw, folder.path().resolve("stdin" + ending), StandardCopyOption.ATOMIC_MOVE);
            return new StandardInput(folder, named);
        } catch (IOException | RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        folder.close();
    }
}
