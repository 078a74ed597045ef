package io.scanflow.flink;

/**
 * Consecutive tokens of one generation session: those of one round ({@link Generate#withTokensPerRound}),
 * or the session's first token alone. The tokens are exactly the {@link GeneratedToken}s the per-token
 * output would carry, {@code tokens[i]} with index {@code firstIndex + i} at position {@code firstPosition + i}.
 *
 * @param key           the stream's key
 * @param session       number of the session within the key's stream (0 for the first prompt)
 * @param firstIndex    index of the first token within its session
 * @param firstPosition position of the first token in the key's stream (tokens before it)
 * @param tokens        the sampled token ids, at least one
 * @param eventTime     event time of the prompt that opened the session
 * @param last          whether the session ends with the last of these tokens
 */
public record GeneratedChunk(String key, long session, int firstIndex, long firstPosition, int[] tokens,
                             long eventTime, boolean last) {}
