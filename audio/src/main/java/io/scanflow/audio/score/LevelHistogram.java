package io.scanflow.audio.score;

import io.scanflow.audio.dsp.MuLaw;

/**
 * Counts of the 256 mu-law levels: the unigram model a sample-level generator must beat. Its
 * {@link #entropyBits() entropy} is the cross-entropy of a unigram fitted on the very samples it scores,
 * the lowest any unigram can reach there; {@link #crossEntropyBits} scores those samples with levels
 * estimated elsewhere (the training set), add-one smoothed as the training script does.
 */
public final class LevelHistogram {
    private final long[] counts = new long[MuLaw.LEVELS];
    private long total;

    public void add(int level) {
        counts[level]++;
        total++;
    }

    public long total() {
        return total;
    }

    /** A copy of the counts, level by level. */
    public long[] counts() {
        return counts.clone();
    }

    /** Entropy in bits of the levels' own frequencies. */
    public double entropyBits() {
        double bits = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / total;
                bits -= p * Math.log(p);
            }
        }
        return bits / Math.log(2);
    }

    /** Bits per level of these levels under the add-one smoothed frequencies of {@code trainCounts}. */
    public double crossEntropyBits(long[] trainCounts) {
        if (trainCounts.length != MuLaw.LEVELS) {
            throw new IllegalArgumentException("expected " + MuLaw.LEVELS + " level counts, found " + trainCounts.length);
        }
        double trainTotal = MuLaw.LEVELS;
        for (long c : trainCounts) {
            trainTotal += c;
        }
        double nats = 0;
        for (int level = 0; level < MuLaw.LEVELS; level++) {
            if (counts[level] > 0) {
                nats -= counts[level] * Math.log((trainCounts[level] + 1) / trainTotal);
            }
        }
        return nats / total / Math.log(2);
    }
}
