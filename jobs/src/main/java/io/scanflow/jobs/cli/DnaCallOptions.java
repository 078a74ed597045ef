package io.scanflow.jobs.cli;

import io.scanflow.jobs.dna.ReportSettings;
import picocli.CommandLine.Option;

/** {@code dna-classify}: when a fragment is called, and when a sample is a mixture. */
public final class DnaCallOptions {
    @Option(names = "--min-probability", paramLabel = "P", defaultValue = "" + ReportSettings.DEFAULT_MIN_PROBABILITY,
            description = {"Fragments whose most probable label has a lower probability are called 'unclassified'"
                    + " (default: ${DEFAULT-VALUE}, measured on reads of species the model never saw; 0 calls every read)."})
    double minProbability;

    @Option(names = "--mixture-fraction", paramLabel = "F", defaultValue = "" + ReportSettings.DEFAULT_MIXTURE_FRACTION,
            description = "A sample is flagged as a mixture when two or more species hold at least this fraction of its fragments"
                    + " each (default: ${DEFAULT-VALUE}).")
    double mixtureFraction;
}
