package io.scanflow.jobs.dna;

/**
 * The call for one fragment: a read, or the two mates of a pair classified together.
 *
 * @param id          the read's name; for a pair, the name without {@code /1} and {@code /2}
 * @param sample      its sample
 * @param call        the label, or {@link Calls#UNCLASSIFIED} when {@code probability} is below the threshold
 * @param probability the probability of {@code best} (for a pair: the mean over both mates)
 * @param best        the most probable label, whatever the threshold
 * @param bases       bases in the fragment
 * @param reads       records behind the call: 1 for a single read, 2 for a pair, the number of windows of a long read
 */
public record Call(String id, String sample, String call, float probability, String best, int bases, int reads) {
    boolean classified() {
        return !Calls.UNCLASSIFIED.equals(call);
    }
}
