package io.scanflow.model.psm;

/**
 * What a streaming evaluator produces when a chunk completes.
 *
 * @param index  the chunk's index {@code i}, counting from 0
 * @param prefix the prefix state {@code s_i} the chunk was inferred from (state over chunks
 *               {@code 0..i-1}; {@code e} for {@code i = 0})
 * @param output {@code Inf(s_i, chunk_i)}
 * @param <S>    state type
 * @param <Y>    output type
 */
public record ChunkResult<S, Y>(long index, S prefix, Y output) {
}
