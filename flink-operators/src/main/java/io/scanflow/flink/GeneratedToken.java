package io.scanflow.flink;

/**
 * One token sampled by a generation session.
 *
 * @param key       the stream's key
 * @param session   number of the session within the key's stream (0 for the first prompt)
 * @param index     index of the token within its session (0 for the token right after the prompt)
 * @param position  position of the token in the key's stream (tokens before it)
 * @param token     the sampled token id
 * @param eventTime event time of the prompt that opened the session
 * @param last      whether the session ends with this token (length reached or stop token)
 */
public record GeneratedToken(String key, long session, int index, long position, int token, long eventTime,
                             boolean last) {}
