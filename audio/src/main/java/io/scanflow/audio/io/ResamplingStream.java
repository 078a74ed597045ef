package io.scanflow.audio.io;

import be.tarsos.dsp.resample.Resampler;

/**
 * Converts a mono stream to another rate with TarsosDSP's {@link Resampler} (a port of libresample:
 * band-limited sinc interpolation, high-quality filter). Deterministic: the same input gives the same
 * output samples, which is what lets a restored source skip to an exact sample position.
 */
final class ResamplingStream implements SampleStream {
    private static final int BLOCK = 4096;

    private final SampleStream in;
    private final int rate;
    private final double factor;
    private final Resampler resampler;
    private final float[] inBuf = new float[BLOCK];
    private int inStart;
    private int inEnd;
    private boolean inputDone;
    private boolean flushed;

    ResamplingStream(SampleStream in, int rate) {
        this.in = in;
        this.rate = rate;
        this.factor = (double) rate / in.sampleRate();
        this.resampler = new Resampler(true, factor, factor);
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public int read(float[] out, int offset, int length) {
        while (true) {
            if (flushed) {
                return -1;
            }
            if (inStart == inEnd && !inputDone) {
                int n = in.read(inBuf, 0, BLOCK);
                inStart = 0;
                inEnd = Math.max(n, 0);
                inputDone = n < 0;
            }
            Resampler.Result r = resampler.process(factor, inBuf, inStart, inEnd - inStart, inputDone, out, offset, length);
            inStart += r.inputSamplesConsumed;
            if (r.outputSamplesGenerated > 0) {
                return r.outputSamplesGenerated;
            }
            if (inputDone && inStart == inEnd) {
                // The last batch was handed over and nothing more came out: the resampler is drained.
                flushed = true;
            }
        }
    }

    @Override
    public void close() {
        in.close();
    }
}
