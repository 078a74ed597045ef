package io.scanflow.flink;

/**
 * An embedding of one input chunk: the model's final hidden state at the chunk's last token, or
 * the mean over the chunk's tokens (see {@link Embed}).
 *
 * @param key       the stream's key
 * @param position  tokens of the stream consumed after the chunk
 * @param vector    [hidden] floats
 * @param eventTime event time of the chunk
 */
public record Embedding(String key, long position, float[] vector, long eventTime) {}
