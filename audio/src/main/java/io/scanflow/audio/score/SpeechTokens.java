package io.scanflow.audio.score;

import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.io.AudioFiles;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A clip as the mu-law generator is trained and scored on it: decoded, resampled to the model's rate,
 * mu-law encoded, and its trailing near-silence dropped, the rule {@code scripts/training/pack_corpus.py}
 * applies to the generator's training and test speech (a clip padded with silence would otherwise be
 * scored mostly on its padding, which any model predicts almost for free).
 */
public final class SpeechTokens {
    /** A level within this many steps of the middle (127.5) counts as silence: |2 level - 255| <= 4. */
    static final int SILENCE_HALF_STEPS = 4;
    /** A trimmed clip keeps at least this many samples (pack_corpus.py's floor). */
    static final int MIN_SAMPLES = 1000;

    private SpeechTokens() {}

    /** The file at {@code rate} Hz as mu-law tokens, trailing near-silence trimmed. */
    public static int[] read(Path file, int rate) {
        float[] samples = AudioFiles.readAll(file, rate);
        int[] tokens = new int[samples.length];
        MuLaw.encode(samples, 0, samples.length, tokens, 0);
        return trimTrailingSilence(tokens);
    }

    /** Drops the tokens after the last loud one, keeping at least {@link #MIN_SAMPLES} (or all, if fewer). */
    static int[] trimTrailingSilence(int[] tokens) {
        int lastLoud = -1;
        for (int i = tokens.length - 1; i >= 0; i--) {
            if (Math.abs(2 * tokens[i] - (MuLaw.LEVELS - 1)) > SILENCE_HALF_STEPS) {
                lastLoud = i;
                break;
            }
        }
        int end = Math.min(tokens.length, Math.max(MIN_SAMPLES, lastLoud + 1));
        return Arrays.copyOf(tokens, end);
    }
}
