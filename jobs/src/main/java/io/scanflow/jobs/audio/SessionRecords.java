package io.scanflow.jobs.audio;

import io.scanflow.flink.ScanInput;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The records of audio-generate's sessions, in blocks of one record per session: block 0 the prompts,
 * then one block of demand records ({@link ScanInput#demand}) per round. Record {@code i} is for
 * session {@code i % sessions}, so every session's prompt comes before its demand (the source has
 * parallelism 1), and a block is one round of every session.
 */
final class SessionRecords implements GeneratorFunction<Long, ScanInput> {
    private static final long serialVersionUID = 1L;

    private final int sessions;
    private final int[] prompt;
    private final int rounds;

    SessionRecords(int sessions, int[] prompt, int rounds) {
        if (sessions < 1 || rounds < 0) {
            throw new IllegalArgumentException("sessions " + sessions + ", rounds " + rounds);
        }
        this.sessions = sessions;
        this.prompt = prompt.clone();
        this.rounds = rounds;
    }

    /** Records the source sends: the prompts and every round's demand. */
    long count() {
        return (long) sessions * (1 + rounds);
    }

    @Override
    public ScanInput map(Long index) {
        String session = AudioGenerateJob.sessionName((int) (index % sessions), sessions);
        return index < sessions ? ScanInput.tokens(session, 0L, prompt) : ScanInput.demand(session, 0L);
    }
}
