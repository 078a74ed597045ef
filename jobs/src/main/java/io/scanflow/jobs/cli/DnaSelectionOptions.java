package io.scanflow.jobs.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code dna-classify}: which reads to take (regions of indexed BAM/CRAM) and which sample each file is (a sample sheet). */
public final class DnaSelectionOptions {
    @Option(names = "--region", paramLabel = "CHR[:FROM[-TO]]",
            description = {"Only reads overlapping this region (1-based, inclusive, as samtools), through the index of"
                    + " each BAM (.bai/.csi) or CRAM (.crai); repeatable."})
    List<String> regions;

    @Option(names = "--sample-sheet", paramLabel = "TSV",
            description = {"Samples and their files: a header 'sample<TAB>file[<TAB>file2]', then one sample a line; file2 is"
                    + " the mate-2 file of paired reads (mates are classified together). Paths are relative to the sheet."})
    Path sampleSheet;

    List<String> regions() {
        return regions == null ? List.of() : regions;
    }
}
