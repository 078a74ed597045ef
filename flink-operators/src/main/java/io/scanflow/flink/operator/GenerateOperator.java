package io.scanflow.flink.operator;

import io.scanflow.flink.Generate;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.state.KeyState;
import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Generation: a prompt chunk opens a session; sessions of all keys advance together, one batched
 * {@code Engine.generate} call of up to {@code tokensPerRound} tokens per session per round. Rounds
 * never block the task thread: as fast as possible, each round is a mailbox mail (so input, timers and
 * barriers run between rounds); at real-time pace, a processing time timer fires when a round's first
 * token is due. Emitting goes through Flink's output, so a slow downstream slows the rounds
 * (backpressure) instead of filling memory.
 *
 * <p>A round is one mail, so checkpoint barriers fall between rounds, and a round of k tokens leaves
 * every session (tokens, outputs, model state, random state) where k single-token rounds would.
 *
 * <p>On demand ({@link Generate#onDemand()}) a session runs a round only while a demand record waits in
 * its key's queue (ahead of any later prompt; end markers do not count), and the round takes it off; a
 * demand record arriving for a waiting session schedules a round.
 *
 * <p>The token sampled last is not fed until the next round (or the next prompt, which it precedes),
 * so a session that ends leaves the stream exactly where a continuing session would be.
 *
 * <p>Subclasses say what a round emits: a record per token ({@link TokenGenerateOperator}) or a record per
 * session per round ({@link ChunkGenerateOperator}); the tokens are the same.
 */
abstract class GenerateOperator<OUT> extends ModelOperator<OUT> {
    private static final long serialVersionUID = 1L;

    private final Generate mode;

    private transient Sampler sampler;
    private transient SamplingConfig sampling;
    private transient int vocab;
    private transient double periodMillis;
    /** Tokens per session per round; 1 with a stop token. */
    private transient int roundTokens;
    private transient boolean onDemand;
    private transient List<KeyEntry> sessions;
    // A round's due sessions with their token counts, and one engine call's sessions and arguments.
    private transient KeyEntry[] due;
    private transient int[] dueTokens;
    private transient KeyEntry[] call;
    private transient int[] callSlots;
    private transient int[] callTokens;
    private transient long[] callRng;
    private transient int[] callOut;
    private transient int[] callFirstIndex;
    private transient long[] callFirstPosition;
    private transient boolean[] callEnded;
    private transient boolean roundMailPending;
    private transient long roundTimerAt;

    GenerateOperator(StreamOperatorParameters<OUT> parameters, ModelSpec spec, ScanOptions options, Generate mode) {
        super(parameters, spec, options, mode.seed());
        this.mode = mode;
    }

    /** Emits a session's first token, sampled from its prompt's logits. */
    protected abstract void emitFirst(KeyEntry e, long position, int token, boolean last);

    /**
     * Emits a round: {@code tokens} tokens for each of the first {@code n} sessions in {@code call}, session i's
     * at {@code out[i * tokens + t]}, its first one with index {@code firstIndex[i]} at stream position
     * {@code firstPosition[i]}; {@code ended[i]} when the session ends with its last token of the round.
     */
    protected abstract void emitRound(KeyEntry[] call, int n, int tokens, int[] out, int[] firstIndex,
                                      long[] firstPosition, boolean[] ended);

    @Override
    protected void openMode() {
        vocab = engine.model().vocabSize();
        sampling = mode.sampling();
        sampler = new Sampler(sampling, vocab);
        periodMillis = mode.tokensPerSecond() > 0 ? 1000.0 / mode.tokensPerSecond() : 0;
        roundTokens = mode.stopToken() >= 0 ? 1 : mode.tokensPerRound();
        onDemand = mode.isOnDemand();
        sessions = new ArrayList<>();
        due = new KeyEntry[0];
        dueTokens = new int[0];
        call = new KeyEntry[0];
        callSlots = new int[0];
        callTokens = new int[0];
        callRng = new long[0];
        callOut = new int[0];
        callFirstIndex = new int[0];
        callFirstPosition = new long[0];
        callEnded = new boolean[0];
        roundTimerAt = Long.MAX_VALUE;
    }

    @Override
    protected Output outputKind() {
        return Output.LAST_LOGITS;
    }

    @Override
    protected boolean acceptsDemand() {
        return true;
    }

    @Override
    protected boolean keepsBusyKeys() {
        return true;
    }

    @Override
    protected long activeSessions() {
        return sessions == null ? 0 : sessions.size();
    }

    @Override
    protected boolean blocked(KeyEntry e) {
        return e.generating;
    }

    @Override
    protected void enqueue(KeyEntry e, ScanInput r, long timestamp) {
        boolean waiting = onDemand && e.generating && !mayRun(e);
        if (r.endOfStream() && e.generating && e.maxTokens == 0) {
            // Only an unbounded session is cut short by an end record; bounded ones finish first.
            e.stopRequested = true;
        }
        if (r.endOfStream() && r.length() > 0) {
            // A last prompt: generate its session, then end the stream.
            e.queue.addLast(new KeyState.Queued(new ScanInput(r.key(), r.tokens(), null, false, r.eventTime()), timestamp));
            e.queue.addLast(new KeyState.Queued(ScanInput.end(r.key(), r.eventTime()), timestamp));
        } else {
            e.queue.addLast(new KeyState.Queued(r, timestamp));
        }
        if (waiting && mayRun(e)) {
            scheduleRound(e); // the session was waiting for this record
        }
    }

    @Override
    protected int[] pieceTokens(KeyEntry e, ScanInput r, int from, int to) {
        if (e.pendingToken < 0) {
            return super.pieceTokens(e, r, from, to);
        }
        // The last sampled token was never fed: it precedes the new prompt.
        int[] t = new int[to - from + 1];
        t[0] = e.pendingToken;
        System.arraycopy(r.tokens(), from, t, 1, to - from);
        return t;
    }

    @Override
    protected void onChunk(KeyEntry e, ScanInput r, long timestamp, float[] logits, boolean recordDone) {
        e.pendingToken = -1;
        int token = sampler.sample(logits, 0, vocab, e.rng);
        e.sessionId = e.sessions++;
        e.maxTokens = mode.maxNewTokens();
        e.generated = 1;
        e.stopRequested = false;
        e.sessionEventTime = r.eventTime();
        e.sessionTimestamp = timestamp;
        e.pendingToken = token;
        boolean last = ends(e, token);
        emitFirst(e, engine.position(e.slot), token, last);
        if (!last) {
            e.generating = true;
            e.sessionStart = now();
            sessions.add(e);
            scheduleRound();
        }
    }

    @Override
    protected void onRestored(KeyEntry e) {
        if (e.generating) {
            // Resume at once: the next token is due now, later ones at the configured pace.
            e.sessionStart = now() - e.generated * periodMillis;
            sessions.add(e);
        }
        scheduleRound();
    }

    @Override
    protected void drainAtEnd() throws Exception {
        // No more input: bounded sessions run to their end; unbounded ones stop at their next token.
        while (!sessions.isEmpty()) {
            for (KeyEntry e : sessions) {
                if (e.maxTokens == 0) {
                    e.stopRequested = true;
                }
            }
            round(true);
        }
    }

    private boolean ends(KeyEntry e, int token) {
        return (e.maxTokens > 0 && e.generated >= e.maxTokens) || token == mode.stopToken() || e.stopRequested;
    }

    private void scheduleRound() {
        if (closing || sessions.isEmpty()) {
            return;
        }
        if (periodMillis == 0) {
            if (anyMayRun()) {
                postRoundMail();
            }
            return;
        }
        double next = Double.MAX_VALUE;
        for (KeyEntry e : sessions) {
            if (mayRun(e)) {
                next = Math.min(next, dueAt(e));
            }
        }
        if (next != Double.MAX_VALUE) { // else every session waits for demand
            armRoundTimer(next);
        }
    }

    /** {@link #scheduleRound()} for one session that may now run: no need to look at the others. */
    private void scheduleRound(KeyEntry e) {
        if (closing) {
            return;
        }
        if (periodMillis == 0) {
            postRoundMail();
        } else {
            armRoundTimer(dueAt(e));
        }
    }

    private void postRoundMail() {
        if (!roundMailPending) {
            roundMailPending = true;
            mailbox.execute(this::onRoundMail, "scanflow generation round");
        }
    }

    /** A round timer at {@code due}, unless one fires earlier. */
    private void armRoundTimer(double due) {
        long at = (long) Math.ceil(due);
        if (at < roundTimerAt) {
            roundTimerAt = at;
            getProcessingTimeService().registerTimer(at, failStop(this::onRoundTimer));
        }
    }

    private void onRoundMail() throws Exception {
        checkNotFailed();
        roundMailPending = false;
        if (!closing) {
            round(false);
            scheduleRound();
        }
    }

    private void onRoundTimer(long time) throws Exception {
        if (time >= roundTimerAt) {
            roundTimerAt = Long.MAX_VALUE;
        }
        if (!closing) {
            round(false);
            scheduleRound();
        }
    }

    /**
     * One round over the due sessions ({@code all}: every session), then any prompts they held back.
     * Sessions that take the same number of tokens share one {@code Engine.generate} call: usually all
     * of them take the full round, and a session near its {@code maxTokens} takes what it has left.
     */
    private void round(boolean all) throws Exception {
        long now = now();
        int count = 0;
        for (KeyEntry e : sessions) {
            if (all || (mayRun(e) && (periodMillis == 0 || dueAt(e) <= now))) {
                if (count == due.length) {
                    growDue(Math.max(16, count * 2));
                }
                due[count] = e;
                dueTokens[count] = tokensThisRound(e);
                count++;
            }
        }
        boolean ended = false;
        int left = count;
        while (left > 0) {
            int tokens = dueTokens[0];
            int n = 0;
            int kept = 0;
            for (int i = 0; i < left; i++) {
                if (dueTokens[i] == tokens) {
                    call[n++] = due[i];
                } else {
                    due[kept] = due[i];
                    dueTokens[kept++] = dueTokens[i];
                }
            }
            Arrays.fill(due, kept, left, null);
            left = kept;
            ended |= generate(n, tokens, now);
        }
        if (ended) {
            sessions.removeIf(e -> !e.generating);
            runWork();
        }
    }

    /**
     * Tokens a session takes this round: never past its end, so its tokens, state and random state are
     * those of single-token rounds. A stop token or a requested stop ends a session at a token nobody can
     * know in advance, so those take one token per round.
     */
    private int tokensThisRound(KeyEntry e) {
        if (roundTokens == 1 || e.stopRequested || e.maxTokens == 0) {
            return 1;
        }
        return Math.min(roundTokens, e.maxTokens - e.generated);
    }

    /**
     * Whether the session may run a round as far as demand goes: always without {@link Generate#onDemand()};
     * on demand, when a demand record waits in its key's queue, or a later prompt (after which no demand
     * can come for this session), or a stop was asked for (one more token ends it). End markers do not
     * count: a session opened by its stream's last prompt runs on the demand queued behind that end.
     */
    private boolean mayRun(KeyEntry e) {
        return !onDemand || e.stopRequested || firstAfterEnds(e) != null;
    }

    /** The key's first queued record that is not a bare end marker, or null. */
    private static KeyState.Queued firstAfterEnds(KeyEntry e) {
        for (KeyState.Queued q : e.queue) {
            if (!isEndMarker(q.record())) {
                return q;
            }
        }
        return null;
    }

    private static boolean isEndMarker(ScanInput r) {
        return r.endOfStream() && r.length() == 0 && r.features() == null;
    }

    private boolean anyMayRun() {
        if (!onDemand) {
            return true;
        }
        for (KeyEntry e : sessions) {
            if (mayRun(e)) {
                return true;
            }
        }
        return false;
    }

    /** Takes the demand record that released this round off the key's queue (none at the end of input). */
    private void takeDemand(KeyEntry e) {
        if (!onDemand) {
            return;
        }
        for (Iterator<KeyState.Queued> it = e.queue.iterator(); it.hasNext(); ) {
            ScanInput r = it.next().record();
            if (r.isDemand()) {
                it.remove();
                e.records++;
                return;
            }
            if (!isEndMarker(r)) {
                return; // a later prompt: the session runs to its end without demand
            }
        }
    }

    /** Processing time the session's next token is due at a real-time pace. */
    private double dueAt(KeyEntry e) {
        return e.sessionStart + e.generated * periodMillis;
    }

    /**
     * {@code tokens} tokens for each of the first {@code n} sessions in {@link #call}, emitted in the order
     * that many single-token rounds would emit them. Returns whether a session ended.
     */
    private boolean generate(int n, int tokens, long now) {
        for (int i = 0; i < n; i++) {
            KeyEntry e = call[i];
            callSlots[i] = e.slot;
            callTokens[i] = e.pendingToken;
            callRng[i] = e.rng.state();
        }
        if (callOut.length < n * tokens) {
            callOut = new int[Math.max(n * tokens, callOut.length * 2)];
        }
        long t0 = System.nanoTime();
        try {
            engine.generate(callSlots, callTokens, n, tokens, sampling, callRng, callOut);
        } catch (RuntimeException ex) {
            throw engineFailure("generate (" + tokens + " tokens per session)", call, n, ex);
        }
        metrics.engineLatencyMicros.update((System.nanoTime() - t0) / 1000);
        metrics.tokens.inc((long) n * tokens);
        for (int i = 0; i < n; i++) {
            KeyEntry e = call[i];
            if (!sampling.greedy()) {
                e.rng = new RandomState(callRng[i]);
            }
            e.dirty = true;
            e.lastUsed = now;
            takeDemand(e);
        }
        boolean ended = false;
        for (int i = 0; i < n; i++) {
            KeyEntry e = call[i];
            callFirstIndex[i] = e.generated;
            callFirstPosition[i] = engine.position(e.slot) - tokens + 1;
            callEnded[i] = false;
            for (int t = 0; t < tokens; t++) {
                int token = callOut[i * tokens + t];
                e.generated++;
                e.pendingToken = token;
                if (ends(e, token)) {
                    if (t < tokens - 1) {
                        throw new IllegalStateException("session " + e.sessionId + " of key " + e.key
                                + " ended at token " + (t + 1) + " of a round of " + tokens);
                    }
                    callEnded[i] = true;
                }
            }
        }
        emitRound(call, n, tokens, callOut, callFirstIndex, callFirstPosition, callEnded);
        for (int i = 0; i < n; i++) {
            KeyEntry e = call[i];
            if (callEnded[i]) {
                e.generating = false;
                e.stopRequested = false;
                ended = true;
                if (!e.queue.isEmpty()) {
                    addWork(e);
                }
            }
        }
        Arrays.fill(call, 0, n, null);
        return ended;
    }

    private void growDue(int n) {
        due = Arrays.copyOf(due, n);
        dueTokens = Arrays.copyOf(dueTokens, n);
        call = Arrays.copyOf(call, n);
        callSlots = Arrays.copyOf(callSlots, n);
        callTokens = Arrays.copyOf(callTokens, n);
        callRng = Arrays.copyOf(callRng, n);
        callFirstIndex = Arrays.copyOf(callFirstIndex, n);
        callFirstPosition = Arrays.copyOf(callFirstPosition, n);
        callEnded = Arrays.copyOf(callEnded, n);
    }
}
