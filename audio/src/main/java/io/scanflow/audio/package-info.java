/**
 * Audio for ScanFlow: decoding (WAV through TarsosDSP's converters, other formats through TarsosDSP's
 * ffmpeg pipe), mono mix-down, resampling, 8-bit mu-law tokens, MFCC / log-mel frames, WAV output, and the
 * Flink audio source and exactly-once WAV sink.
 *
 * <p>Glossary: a <em>sample</em> is one mono value at the model's rate; a <em>frame</em> (WAV) is one
 * sample of every channel; a <em>feature frame</em> is one MFCC / log-mel vector (window {@code frame},
 * step {@code hop} samples); a <em>stream</em> is one file (or one channel of a file) and is one Flink key.
 * Sample positions are always counted at the model's rate from the start of the stream.
 *
 * <p>Packages: {@code io} reading and writing files, {@code dsp} sample-level processing,
 * {@code features} feature frames, {@code source} / {@code sink} the Flink connectors, {@code classify}
 * the classification head and label files, {@code detect} the speech detector that finds words in long
 * streams.
 */
package io.scanflow.audio;
