package io.scanflow.flink.operator;

import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.state.KeyState;
import io.scanflow.kernels.Output;
import io.scanflow.model.sampling.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Generation: a prompt chunk opens a session; sessions of all keys advance together, one batched
 * engine step per round. Rounds never block the task thread: as fast as possible, each round is a
 * mailbox mail (so input, timers and barriers run between rounds); at real-time pace, a processing
 * time timer fires when the next token is due. Emitting goes through Flink's output, so a slow
 * downstream slows the rounds (backpressure) instead of filling memory.
 *
 * <p>The token sampled last is not fed until the next step (or the next prompt, which it precedes),
 * so a session that ends leaves the stream exactly where a continuing session would be.
 */
final class GenerateOperator extends ModelOperator<GeneratedToken> {
    private static final long serialVersionUID = 1L;

    private final Generate mode;

    private transient Sampler sampler;
    private transient int vocab;
    private transient double periodMillis;
    private transient List<KeyEntry> sessions;
    private transient KeyEntry[] stepEntries;
    private transient int[] stepSlots;
    private transient int[] stepTokens;
    private transient float[] stepLogits;
    private transient boolean roundMailPending;
    private transient long roundTimerAt;

    GenerateOperator(StreamOperatorParameters<GeneratedToken> parameters, ModelSpec spec, ScanOptions options,
                     Generate mode) {
        super(parameters, spec, options, mode.seed());
        this.mode = mode;
    }

    @Override
    protected void openMode() {
        vocab = engine.model().vocabSize();
        sampler = new Sampler(mode.sampling(), vocab);
        periodMillis = mode.tokensPerSecond() > 0 ? 1000.0 / mode.tokensPerSecond() : 0;
        sessions = new ArrayList<>();
        stepEntries = new KeyEntry[0];
        stepSlots = new int[0];
        stepTokens = new int[0];
        stepLogits = new float[0];
        roundTimerAt = Long.MAX_VALUE;
    }

    @Override
    protected Output outputKind() {
        return Output.LAST_LOGITS;
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
        emit(new GeneratedToken(e.key, e.sessionId, 0, engine.position(e.slot), token, r.eventTime(), last), timestamp);
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
            step(true);
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
            if (!roundMailPending) {
                roundMailPending = true;
                mailbox.execute(this::onRoundMail, "scanflow generation round");
            }
            return;
        }
        double next = Double.MAX_VALUE;
        for (KeyEntry e : sessions) {
            next = Math.min(next, e.sessionStart + e.generated * periodMillis);
        }
        long at = (long) Math.ceil(next);
        if (at < roundTimerAt) {
            roundTimerAt = at;
            getProcessingTimeService().registerTimer(at, this::onRoundTimer);
        }
    }

    private void onRoundMail() throws Exception {
        roundMailPending = false;
        if (!closing) {
            step(false);
            scheduleRound();
        }
    }

    private void onRoundTimer(long time) throws Exception {
        if (time >= roundTimerAt) {
            roundTimerAt = Long.MAX_VALUE;
        }
        if (!closing) {
            step(false);
            scheduleRound();
        }
    }

    /** One batched step over the due sessions ({@code all}: every session), then any prompts they held back. */
    private void step(boolean all) throws Exception {
        long now = now();
        int count = 0;
        for (KeyEntry e : sessions) {
            if (all || periodMillis == 0 || e.sessionStart + e.generated * periodMillis <= now) {
                if (count == stepEntries.length) {
                    grow(Math.max(16, count * 2));
                }
                stepEntries[count] = e;
                stepSlots[count] = e.slot;
                stepTokens[count] = e.pendingToken;
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        long t0 = System.nanoTime();
        engine.step(stepSlots, stepTokens, count, Output.LAST_LOGITS, stepLogits);
        metrics.engineLatencyMicros.update((System.nanoTime() - t0) / 1000);
        metrics.tokens.inc(count);
        boolean ended = false;
        for (int i = 0; i < count; i++) {
            KeyEntry e = stepEntries[i];
            stepEntries[i] = null;
            int token = sampler.sample(stepLogits, i * vocab, vocab, e.rng);
            int index = e.generated++;
            e.pendingToken = token;
            e.dirty = true;
            e.lastUsed = now;
            boolean last = ends(e, token);
            emit(new GeneratedToken(e.key, e.sessionId, index, engine.position(e.slot), token, e.sessionEventTime, last),
                    e.sessionTimestamp);
            if (last) {
                e.generating = false;
                e.stopRequested = false;
                ended = true;
                if (!e.queue.isEmpty()) {
                    addWork(e);
                }
            }
        }
        if (ended) {
            sessions.removeIf(e -> !e.generating);
            runWork();
        }
    }

    private void grow(int n) {
        stepEntries = Arrays.copyOf(stepEntries, n);
        stepSlots = Arrays.copyOf(stepSlots, n);
        stepTokens = Arrays.copyOf(stepTokens, n);
        stepLogits = new float[n * vocab];
    }
}
