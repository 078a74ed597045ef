package io.scanflow.audio.sink;

/**
 * A finished WAV file waiting for its checkpoint: renaming {@code pending} to {@code target} publishes it.
 */
public record WavCommittable(String pending, String target) {}
