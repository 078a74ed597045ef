package io.scanflow.flink;

import io.scanflow.model.sampling.SamplingConfig;
import java.io.Serializable;

/**
 * Generation mode: every token chunk is a prompt that opens a session; the session samples up to
 * {@link #maxNewTokens()} tokens (or until the stop token), each fed back into the key's stream.
 *
 * <p>Records that arrive for a key while its session runs wait (in keyed state) until the session
 * ends, so a key's output never depends on timing: a restored job generates the same tokens. The
 * one exception is an end-of-stream record for an unbounded session ({@code maxNewTokens == 0}):
 * it stops the session at the next token, wherever generation has got to.
 *
 * <p>Sampling is deterministic: each key has its own random state, seeded from the seed and the key,
 * and kept in keyed state.
 *
 * <p>{@link #withTokensPerRound} lets a round produce several tokens per session in one engine call
 * (one kernel launch on CUDA); the tokens are those of single-token rounds. Modes with a stop token
 * keep rounds of one token, since a round cannot know in advance where a session stops.
 */
public final class Generate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxNewTokens;
    private final int stopToken;
    private final boolean greedy;
    private final float temperature;
    private final int topK;
    private final float topP;
    private final long seed;
    private final double tokensPerSecond;
    private final int tokensPerRound;
    private final boolean onDemand;

    private Generate(int maxNewTokens, int stopToken, boolean greedy, float temperature, int topK, float topP,
                     long seed, double tokensPerSecond, int tokensPerRound, boolean onDemand) {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must not be negative, found " + maxNewTokens);
        }
        if (maxNewTokens == 0 && stopToken < 0) {
            throw new IllegalArgumentException("an unbounded session needs a stop token");
        }
        if (tokensPerSecond < 0 || Double.isNaN(tokensPerSecond)) {
            throw new IllegalArgumentException("tokens per second must not be negative, found " + tokensPerSecond);
        }
        if (tokensPerRound < 1) {
            throw new IllegalArgumentException("tokens per round must be at least 1, found " + tokensPerRound);
        }
        // Validates the sampling parameters now rather than on the TaskManager.
        new SamplingConfig(greedy, temperature, topK, topP);
        this.maxNewTokens = maxNewTokens;
        this.stopToken = stopToken;
        this.greedy = greedy;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.seed = seed;
        this.tokensPerSecond = tokensPerSecond;
        this.tokensPerRound = tokensPerRound;
        this.onDemand = onDemand;
    }

    /** Sessions of {@code maxNewTokens} greedy tokens, as fast as possible, no stop token. */
    public static Generate tokens(int maxNewTokens) {
        return new Generate(maxNewTokens, -1, true, 1f, 0, 1f, 0L, 0, 1, false);
    }

    /** Sessions that run until the stop token (or an end-of-stream record). */
    public static Generate untilStopToken(int stopToken) {
        return new Generate(0, stopToken, true, 1f, 0, 1f, 0L, 0, 1, false);
    }

    /** Ends a session at {@code token} (emitted as its last token). */
    public Generate withStopToken(int token) {
        return new Generate(maxNewTokens, token, greedy, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound, onDemand);
    }

    /** Samples with temperature, then top-k ({@code <= 0}: off), then top-p ({@code 1}: off). */
    public Generate withSampling(float temperature, int topK, float topP) {
        return new Generate(maxNewTokens, stopToken, false, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound, onDemand);
    }

    /** The job seed each key's random state is derived from (with the key). */
    public Generate withSeed(long seed) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound, onDemand);
    }

    /** Real-time pace: each session emits at most this many tokens per second; 0 is as fast as possible. */
    public Generate atTokensPerSecond(double rate) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, rate, tokensPerRound,
                onDemand);
    }

    /**
     * Up to {@code k} tokens per session per round, as one {@code Engine.generate} call (default 1). A
     * round ends early for a session whose {@code maxNewTokens} is reached, so sessions end exactly
     * where single-token rounds end them. At a real-time pace a round runs when its first token is
     * due, so tokens come in bursts of {@code k}: up to {@code k / tokensPerSecond} seconds early. Has
     * no effect with a stop token.
     */
    public Generate withTokensPerRound(int k) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, tokensPerSecond, k,
                onDemand);
    }

    /**
     * Sessions that advance only when asked: each demand record for the key ({@link ScanInput#demand})
     * releases one round (up to {@link #tokensPerRound()} tokens; at a real-time pace, not before they
     * are due). A session takes the demand records that follow its prompt, also those behind an end
     * of its stream (a stream's last prompt still has its session asked for); once the key's next prompt
     * has arrived, nothing more can ask for it, so it runs to its end. Demand left over when a session
     * ends is dropped. At the end of input every session runs to its end.
     *
     * <p>This is how a job keeps its input open while sessions generate: Flink takes checkpoint barriers
     * only from open inputs, and an operator whose input has ended must finish its work before the task
     * can finish, with no checkpoint in between. A source that sends the demand (paced, or as fast as
     * the job takes it) ends only when the last round has been asked for. The tokens do not depend on
     * how demand arrives.
     */
    public Generate onDemand() {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound, true);
    }

    /** Whether sessions wait for demand records (see {@link #onDemand()}). */
    public boolean isOnDemand() {
        return onDemand;
    }

    /** Demand records a session of {@code maxNewTokens} tokens needs: its first token comes from the prompt. */
    public int roundsPerSession() {
        if (maxNewTokens == 0) {
            throw new IllegalStateException("a session that runs until its stop token has no fixed number of rounds");
        }
        int perRound = stopToken >= 0 ? 1 : tokensPerRound;
        return (maxNewTokens - 1 + perRound - 1) / perRound;
    }

    /** 0 when sessions end only at the stop token. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** -1 when there is none. */
    public int stopToken() {
        return stopToken;
    }

    /** The sampler's settings (greedy, or temperature, top-k and top-p). */
    public SamplingConfig sampling() {
        return new SamplingConfig(greedy, temperature, topK, topP);
    }

    /** The job seed each key's random state is derived from. */
    public long seed() {
        return seed;
    }

    /** 0 when sessions run as fast as possible. */
    public double tokensPerSecond() {
        return tokensPerSecond;
    }

    /** The configured tokens per round (see {@link #withTokensPerRound}). */
    public int tokensPerRound() {
        return tokensPerRound;
    }
}
