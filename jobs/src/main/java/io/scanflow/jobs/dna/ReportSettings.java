package io.scanflow.jobs.dna;

import java.nio.file.Path;
import java.util.List;

/**
 * How reads become calls and what the outputs say about their origin.
 *
 * @param minProbability  fragments whose probability is below this are "unclassified"
 * @param mixtureFraction a sample is flagged as a mixture when two or more species hold at least this fraction of it each
 * @param provenance      the first line of every output
 */
public record ReportSettings(double minProbability, double mixtureFraction, Provenance provenance) {
    /**
     * The default threshold: on reads of 45 species the model never saw (Anolis lizards, Darwin's finches)
     * 0.9 calls 66.8 % unclassified while 96.6 % of reads of known species stay classified (99.9 % of
     * those correctly); see docs/genomics.md, "Unclassified reads", and scripts/unclassified-curve.sh.
     */
    public static final double DEFAULT_MIN_PROBABILITY = 0.9;
    /** Above the largest share of any one wrong species in a pure test sample (docs/genomics.md). */
    public static final double DEFAULT_MIXTURE_FRACTION = 0.1;

    public ReportSettings {
        if (!(minProbability >= 0 && minProbability <= 1)) {
            throw new IllegalArgumentException("--min-probability must be between 0 and 1, found " + minProbability);
        }
        if (!(mixtureFraction > 0 && mixtureFraction <= 0.5)) {
            throw new IllegalArgumentException("--mixture-fraction must be above 0 and at most 0.5, found " + mixtureFraction);
        }
    }

    /** The defaults, for a run that did not come from the command line. */
    public static ReportSettings defaults(Path model) {
        return new ReportSettings(DEFAULT_MIN_PROBABILITY, DEFAULT_MIXTURE_FRACTION,
                Provenance.of(List.of("dna-classify"), model));
    }
}
