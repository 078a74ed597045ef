package io.scanflow.audio.score;

/**
 * How well a mu-law generator predicts a set of clips, in bits per sample (cross-entropy of the next
 * sample, base 2), next to two unigram baselines.
 *
 * @param clips              clips scored
 * @param samples            samples scored: every sample of every trimmed clip but its first
 * @param modelBits          the generator, each clip read from a fresh state
 * @param ownUnigramBits     a unigram fitted on the scored samples themselves (their level entropy): the
 *                           best any unigram can do on them, so a generous baseline
 * @param trainUnigramBits   a unigram of the training set's level counts, add-one smoothed; NaN when the
 *                           model folder does not carry them
 */
public record GeneratorScore(int clips, long samples, double modelBits, double ownUnigramBits, double trainUnigramBits) {

    public boolean hasTrainUnigram() {
        return !Double.isNaN(trainUnigramBits);
    }
}
