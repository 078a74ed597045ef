package io.scanflow.jobs.dna;

import io.scanflow.model.io.BadInput;

/** What the job sends back to the client: exactly one of a read prediction, a sample vote, or bad input. */
public record JobOutput(ReadPrediction read, SampleVote sample, BadInput bad) {
    static JobOutput of(ReadPrediction p) {
        return new JobOutput(p, null, null);
    }

    static JobOutput of(SampleVote v) {
        return new JobOutput(null, v, null);
    }

    static JobOutput of(BadInput b) {
        return new JobOutput(null, null, b);
    }
}
