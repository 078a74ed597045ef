package io.scanflow.audio.sink;

/** A file still being written at a checkpoint: its first {@code samples} samples are durable. */
public record WavWriterState(String stream, String pending, int sampleRate, long samples) {}
