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

    private Generate(int maxNewTokens, int stopToken, boolean greedy, float temperature, int topK, float topP,
                     long seed, double tokensPerSecond, int tokensPerRound) {
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
    }

    /** Sessions of {@code maxNewTokens} greedy tokens, as fast as possible, no stop token. */
    public static Generate tokens(int maxNewTokens) {
        return new Generate(maxNewTokens, -1, true, 1f, 0, 1f, 0L, 0, 1);
    }

    /** Sessions that run until the stop token (or an end-of-stream record). */
    public static Generate untilStopToken(int stopToken) {
        return new Generate(0, stopToken, true, 1f, 0, 1f, 0L, 0, 1);
    }

    /** Ends a session at {@code token} (emitted as its last token). */
    public Generate withStopToken(int token) {
        return new Generate(maxNewTokens, token, greedy, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound);
    }

    /** Samples with temperature, then top-k ({@code <= 0}: off), then top-p ({@code 1}: off). */
    public Generate withSampling(float temperature, int topK, float topP) {
        return new Generate(maxNewTokens, stopToken, false, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound);
    }

    /** The job seed each key's random state is derived from (with the key). */
    public Generate withSeed(long seed) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, tokensPerSecond,
                tokensPerRound);
    }

    /** Real-time pace: each session emits at most this many tokens per second; 0 is as fast as possible. */
    public Generate atTokensPerSecond(double rate) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, rate, tokensPerRound);
    }

    /**
     * Up to {@code k} tokens per session per round, as one {@code Engine.generate} call (default 1). A
     * round ends early for a session whose {@code maxNewTokens} is reached, so sessions end exactly
     * where single-token rounds end them. At a real-time pace a round runs when its first token is
     * due, so tokens come in bursts of {@code k}: up to {@code k / tokensPerSecond} seconds early. Has
     * no effect with a stop token.
     */
    public Generate withTokensPerRound(int k) {
        return new Generate(maxNewTokens, stopToken, greedy, temperature, topK, topP, seed, tokensPerSecond, k);
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
