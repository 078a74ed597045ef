package io.scanflow.flink.state;

import io.scanflow.flink.ScanInput;
import java.util.List;

/**
 * Everything the operator keeps for one key between checkpoints: the model state (the engine's
 * versioned state bytes, which carry the position), the sampler's random state, the generation
 * session, the last prediction (for predictions emitted at end of stream) and the records waiting
 * behind a running session. Immutable.
 *
 * @param model        engine state bytes; null for a stream that has consumed nothing
 * @param rng          {@link io.scanflow.model.sampling.RandomState} of the key's sampler
 * @param records      records consumed by the stream
 * @param sessions     generation sessions opened by the stream
 * @param pendingToken a sampled token not yet fed to the model, or -1
 * @param session      the running generation session, or null
 * @param last         the prediction at the end of the last chunk, or null
 * @param queue        records that arrived while a session ran, oldest first
 */
public record KeyState(byte[] model, long rng, long records, long sessions, int pendingToken, Session session,
                       LastPrediction last, List<Queued> queue) {

    /** Checks the fields. */
    public KeyState {
        queue = List.copyOf(queue);
    }

    /**
     * A running generation session.
     *
     * @param eventTime event time of the prompt
     * @param timestamp stream record timestamp of the prompt ({@link Long#MIN_VALUE}: none)
     */
    public record Session(long id, int maxTokens, int generated, boolean stopRequested, long eventTime,
                          long timestamp) {}

    /** The prediction at the end of the last chunk; logits only when predictions carry them. */
    public record LastPrediction(long position, int label, float probability, float[] logits) {}

    /** A record waiting behind a session, with its stream record timestamp ({@link Long#MIN_VALUE}: none). */
    public record Queued(ScanInput record, long timestamp) {}
}
