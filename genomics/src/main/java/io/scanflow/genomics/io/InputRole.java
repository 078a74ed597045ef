package io.scanflow.genomics.io;

import java.io.Serializable;

/**
 * What a sample sheet says about one input file: the sample its reads belong to, and which mate of a
 * pair the file holds (paired FASTQs {@code S1_R1.fastq.gz}, {@code S1_R2.fastq.gz}).
 *
 * @param sample the sample of every read in the file (over read groups and the file name)
 * @param mate   1 or 2 for the first or second file of a pair (its reads get {@code /1} or {@code /2}), 0 for unpaired
 */
public record InputRole(String sample, int mate) implements Serializable {
    public InputRole {
        if (sample == null || sample.isEmpty()) {
            throw new IllegalArgumentException("a sample name is required");
        }
        if (mate < 0 || mate > 2) {
            throw new IllegalArgumentException("mate must be 0, 1 or 2, found " + mate);
        }
    }
}
