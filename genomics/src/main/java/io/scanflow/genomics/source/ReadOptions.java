package io.scanflow.genomics.source;

import io.scanflow.genomics.io.BadRecordPolicy;
import java.io.Serializable;

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
 */
public record ReadOptions(int window, int stride, int windowsPerSplit, int recordsPerSplit, long sbiSplitBytes,
                          String reference, BadRecordPolicy policy) implements Serializable {

    /** Checks that the sizes are positive and a policy is set. */
    public ReadOptions {
        if (window < 1 || stride < 1 || windowsPerSplit < 1 || recordsPerSplit < 1 || sbiSplitBytes < 1) {
            throw new IllegalArgumentException("window, stride, windows per split, records per split and split bytes must be positive");
        }
        if (policy == null) {
            throw new IllegalArgumentException("a bad-record policy is required");
        }
    }

    /** Windows of 150 bases every 150, 1000 windows or 100 000 records or 64 MiB a split, bad input to the side output. */
    public static ReadOptions defaults() {
        return new ReadOptions(150, 150, 1000, 100_000, 64L << 20, null, BadRecordPolicy.SIDE_OUTPUT);
    }

    /** These options with FASTA windows of {@code newWindow} bases every {@code newStride}. */
    public ReadOptions withWindow(int newWindow, int newStride) {
        return new ReadOptions(newWindow, newStride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, policy);
    }

    /** These options with {@code n} FASTA windows per split. */
    public ReadOptions withWindowsPerSplit(int n) {
        return new ReadOptions(window, stride, n, recordsPerSplit, sbiSplitBytes, reference, policy);
    }

    /** These options with {@code n} BAM records per split (BAM without a {@code .sbi} index). */
    public ReadOptions withRecordsPerSplit(int n) {
        return new ReadOptions(window, stride, windowsPerSplit, n, sbiSplitBytes, reference, policy);
    }

    /** These options with the CRAM reference FASTA at {@code path}. */
    public ReadOptions withReference(String path) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, path, policy);
    }

    /** These options with bad-record policy {@code p}. */
    public ReadOptions withPolicy(BadRecordPolicy p) {
        return new ReadOptions(window, stride, windowsPerSplit, recordsPerSplit, sbiSplitBytes, reference, p);
    }
}
