package io.scanflow.genomics.source;

import io.scanflow.genomics.io.InputRole;
import io.scanflow.model.io.BadRecordPolicy;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * How a genomics source splits and reads its files.
 *
 * @param window          FASTA: bases per window; records no longer than this are one window
 * @param stride          FASTA: bases between window starts (at most {@code window} for full coverage)
 * @param windowsPerSplit FASTA: windows per split
 * @param recordsPerSplit BAM without a {@code .sbi} index: records per split (found by one scan of the file)
 * @param sbiSplitBytes   BAM with a {@code .sbi} index: compressed bytes per split
 * @param reference       CRAM: the reference FASTA path (with .fai), or null for the CRAM's embedded reference
 * @param policy          what happens to bad input
 * @param regions         BAM/CRAM: only records overlapping these regions ({@code chr}, {@code chr:from-to},
 *                        1-based inclusive, as samtools), read through the file's index; empty for all records
 * @param roles           sample and mate of input files by absolute path (a sample sheet); files not named keep
 *                        their read groups' samples or their file names
 */
public record ReadOptions(int window, int stride, int windowsPerSplit, int recordsPerSplit, long sbiSplitBytes,
                          String reference, BadRecordPolicy policy, List<String> regions,
                          Map<String, InputRole> roles) implements Serializable {

    /** Checks that the sizes are positive and a policy is set. */
    public ReadOptions {
        if (window < 1 || stride < 1 || windowsPerSplit < 1 || recordsPerSplit < 1 || sbiSplitBytes < 1) {
            throw new IllegalArgumentException("window, stride, windows per split, records per split and split bytes must be positive");
        }
        if (policy == null) {
            throw new IllegalArgumentException("a bad-record policy is required");
        }
        regions = List.copyOf(regions);
        roles = Map.copyOf(roles);
    }

    public ReadOptions(int window, int stride, int windowsPerSplit, int recordsPerSplit, long sbiSplitBytes,
                       String reference, BadRecordPolicy policy) {
        this(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, policy, List.of(), Map.of());
    }

    /** Windows of 150 bases every 150, 1000 windows or 100 000 records or 64 MiB a split, bad input to the side output. */
    public static ReadOptions defaults() {
        return new ReadOptions(150, 150, 1000, 100_000, 64L << 20, null, BadRecordPolicy.SIDE_OUTPUT);
    }

    /** These options with FASTA windows of {@code newWindow} bases every {@code newStride}. */
    public ReadOptions withWindow(int newWindow, int newStride) {
        return new ReadOptions(newWindow, newStride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, policy, regions, roles);
    }

    /** These options with {@code n} FASTA windows per split. */
    public ReadOptions withWindowsPerSplit(int n) {
        return new ReadOptions(window, stride, n, recordsPerSplit, sbiSplitBytes, reference, policy, regions, roles);
    }

    /** These options with {@code n} BAM records per split (BAM without a {@code .sbi} index). */
    public ReadOptions withRecordsPerSplit(int n) {
        return new ReadOptions(window, stride, windowsPerSplit, n, sbiSplitBytes, reference, policy, regions, roles);
    }

    /** These options with the CRAM reference FASTA at {@code path}. */
    public ReadOptions withReference(String path) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, path, policy, regions, roles);
    }

    /** These options with bad-record policy {@code p}. */
    public ReadOptions withPolicy(BadRecordPolicy p) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, p, regions, roles);
    }

    public ReadOptions withRegions(List<String> newRegions) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, policy, newRegions, roles);
    }

    public ReadOptions withRoles(Map<String, InputRole> newRoles) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, policy, regions, newRoles);
    }
}
