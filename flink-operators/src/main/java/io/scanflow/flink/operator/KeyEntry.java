package io.scanflow.flink.operator;

import io.scanflow.flink.state.KeyState;
import io.scanflow.model.sampling.RandomState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A key that holds an engine slot: the live, authoritative copy of its {@link KeyState} (the model
 * state itself lives in the slot). Written back to keyed state when dirty, before every barrier.
 */
final class KeyEntry {
    final String key;
    final int slot;
    RandomState rng;
    long records;
    long sessions;
    int pendingToken = -1;
    KeyState.LastPrediction last;
    /** Records not yet fed, oldest first; non-empty between bundles only behind a generation session. */
    final ArrayDeque<KeyState.Queued> queue = new ArrayDeque<>();
    /** Tokens of the queue head already fed (a chunk split at window ends). */
    int cursor;

    // The running generation session, if generating.
    boolean generating;
    long sessionId;
    int maxTokens;
    int generated;
    boolean stopRequested;
    long sessionEventTime;
    long sessionTimestamp;
    /** Processing time (ms) the paced session started, shifted so token i is due at start + i * period. */
    double sessionStart;

    /** Whether the live copy differs from keyed state. */
    boolean dirty;
    /** Whether the stream has consumed anything since it (re)started; an untouched entry has no state to keep. */
    boolean hasState;
    /** Processing time of the last use, for idle expiry. */
    long lastUsed;
    /** Whether the entry is in the current flush's work list. */
    boolean inWork;

    KeyEntry(String key, int slot, long seed) {
        this.key = key;
        this.slot = slot;
        this.rng = new RandomState(seed);
    }

    /** Busy entries hold work that must resume after a restore even if no record comes for the key. */
    boolean busy() {
        return generating || !queue.isEmpty();
    }

    void restore(KeyState s) {
        rng = new RandomState(s.rng());
        records = s.records();
        sessions = s.sessions();
        pendingToken = s.pendingToken();
        last = s.last();
        queue.addAll(s.queue());
        KeyState.Session g = s.session();
        if (g != null) {
            generating = true;
            sessionId = g.id();
            maxTokens = g.maxTokens();
            generated = g.generated();
            stopRequested = g.stopRequested();
            sessionEventTime = g.eventTime();
            sessionTimestamp = g.timestamp();
        }
        hasState = true;
    }

    KeyState snapshot(byte[] model) {
        KeyState.Session session = generating
                ? new KeyState.Session(sessionId, maxTokens, generated, stopRequested, sessionEventTime, sessionTimestamp)
                : null;
        List<KeyState.Queued> q = new ArrayList<>(queue);
        return new KeyState(model, rng.state(), records, sessions, pendingToken, session, last, q);
    }

    /** Forgets the stream (end of stream): the slot is reset by the caller; records in the queue stay. */
    void resetStream(long freshSeed) {
        records = 0;
        sessions = 0;
        pendingToken = -1;
        last = null;
        generating = false;
        stopRequested = false;
        generated = 0;
        rng = new RandomState(freshSeed);
        hasState = !queue.isEmpty();
        dirty = true;
    }
}
