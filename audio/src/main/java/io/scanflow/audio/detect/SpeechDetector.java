package io.scanflow.audio.detect;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Finds spoken words in a stream as its samples arrive: the energy of each frame against a noise floor
 * (the running mean of the frames that sound like noise), a word starting after {@code onsetFrames} frames
 * {@code onsetDb} above the floor and ending after {@code hangoverFrames} frames under {@code offsetDb}.
 * Each word is handed out with the classifier window around it once the window's last sample has arrived.
 *
 * <p>Everything it remembers is in the {@link DetectorState} the caller passes in, so a Flink function can
 * keep it in keyed state and a restored job goes on exactly where the checkpoint left it. The words found
 * depend only on the samples, not on how they were cut into chunks.
 */
public final class SpeechDetector {
    private static final double SILENCE = 1e-10;

    private final DetectorSettings settings;

    public SpeechDetector(DetectorSettings settings) {
        this.settings = settings;
    }

    /**
     * Feeds the stream's next {@code samples}; with {@code last}, also ends the stream (a word still being
     * heard ends with it, windows past its end are zero-padded). Words go to {@code words} in order.
     */
    public void feed(DetectorState s, float[] samples, boolean last, Consumer<SpeechSegment> words) {
        int f = settings.frameSamples();
        float[] history = Arrays.copyOf(s.history, s.history.length + samples.length);
        System.arraycopy(samples, 0, history, s.history.length, samples.length);
        s.history = history;
        s.position += samples.length;
        while ((s.frames + 1) * f <= s.position) {
            frame(s, energyDb(s, s.frames * f));
            s.frames++;
        }
        if (last && s.wordStartFrame >= 0) {
            endWord(s, s.lastLoudFrame + 1);
        }
        emitComplete(s, last, words);
        trim(s);
    }

    private double energyDb(DetectorState s, long from) {
        int at = (int) (from - s.historyStart);
        double sum = 0;
        for (int i = at; i < at + settings.frameSamples(); i++) {
            sum += (double) s.history[i] * s.history[i];
        }
        return 10 * Math.log10(sum / settings.frameSamples() + SILENCE);
    }

    private void frame(DetectorState s, double db) {
        long k = s.frames;
        // The floor is the running mean of the frames that sound like noise (none above the onset threshold
        // outside a word). Louder frames may pull it up only slowly, so a lasting rise of the noise is caught
        // up with instead of being heard as one endless word.
        if (Float.isNaN(s.noiseFloorDb)) {
            s.noiseFloorDb = (float) db;
        } else if (s.wordStartFrame < 0 && db <= s.noiseFloorDb + settings.onsetDb()) {
            s.noiseFloorDb += (float) ((db - s.noiseFloorDb) / settings.floorFrames());
        } else if (db > s.noiseFloorDb) {
            s.noiseFloorDb = (float) Math.min(db, s.noiseFloorDb + settings.floorRiseDb());
        }
        double floor = s.noiseFloorDb;
        if (s.wordStartFrame < 0) {
            s.loudRun = db > floor + settings.onsetDb() ? s.loudRun + 1 : 0;
            if (s.loudRun >= settings.onsetFrames()) {
                s.wordStartFrame = k - s.loudRun + 1;
                s.lastLoudFrame = k;
                s.loudRun = 0;
            }
            return;
        }
        if (db > floor + settings.offsetDb()) {
            s.lastLoudFrame = k;
        }
        if (k + 1 - s.wordStartFrame >= settings.maxWordFrames()) {
            endWord(s, k + 1);
        } else if (k - s.lastLoudFrame >= settings.hangoverFrames()) {
            endWord(s, s.lastLoudFrame + 1);
        }
    }

    private void endWord(DetectorState s, long endFrame) {
        if (endFrame - s.wordStartFrame >= settings.minWordFrames()) {
            long[] ended = Arrays.copyOf(s.ended, s.ended.length + 2);
            ended[ended.length - 2] = s.wordStartFrame;
            ended[ended.length - 1] = endFrame;
            s.ended = ended;
        }
        s.wordStartFrame = -1;
        s.lastLoudFrame = -1;
    }

    private long windowStart(long wordStartFrame) {
        return Math.max(0, wordStartFrame * settings.frameSamples() - settings.preRollSamples());
    }

    /** Hands out the ended words whose window is complete (all of them at the end of the stream). */
    private void emitComplete(DetectorState s, boolean last, Consumer<SpeechSegment> words) {
        int done = 0;
        int w = settings.windowSamples();
        while (done < s.ended.length) {
            long from = windowStart(s.ended[done]);
            if (!last && from + w > s.position) {
                break;
            }
            float[] window = new float[w];
            int at = (int) (from - s.historyStart);
            System.arraycopy(s.history, at, window, 0, (int) Math.min(w, s.history.length - at));
            words.accept(new SpeechSegment(s.words++, s.ended[done] * settings.frameSamples(),
                    s.ended[done + 1] * settings.frameSamples(), window));
            done += 2;
        }
        if (done > 0) {
            s.ended = Arrays.copyOfRange(s.ended, done, s.ended.length);
        }
    }

    /** Drops the samples no window can need any more: before the earliest window that may still be cut. */
    private void trim(DetectorState s) {
        long earliestWord = s.wordStartFrame >= 0 ? s.wordStartFrame : s.frames - s.loudRun;
        if (s.ended.length > 0) {
            earliestWord = Math.min(earliestWord, s.ended[0]);
        }
        long keep = Math.min(windowStart(earliestWord), s.position);
        if (keep > s.historyStart) {
            s.history = Arrays.copyOfRange(s.history, (int) (keep - s.historyStart), s.history.length);
            s.historyStart = keep;
        }
    }
}
