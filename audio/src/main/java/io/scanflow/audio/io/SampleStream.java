package io.scanflow.audio.io;

import java.io.Closeable;

/** Mono samples in [-1, 1] at a fixed rate, read forward. */
public interface SampleStream extends Closeable {

    int sampleRate();

    /**
     * Reads up to {@code length} samples.
     *
     * @return samples read, at least 1 unless the stream has ended, then -1
     */
    int read(float[] out, int offset, int length);

    /** Skips {@code samples} samples (seeking where the format allows); returns how many were skipped. */
    default long skip(long samples) {
        float[] scratch = new float[(int) Math.min(8192, Math.max(1, samples))];
        long done = 0;
        while (done < samples) {
            int n = read(scratch, 0, (int) Math.min(scratch.length, samples - done));
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    @Override
    void close();
}
