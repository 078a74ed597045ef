package io.scanflow.audio.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The detector on synthetic streams: noise with voiced bursts (a 150 Hz buzz with harmonics) at known
 * moments and a known SNR.
 */
class SpeechDetectorTest {
    static final int RATE = 16000;
    /** The shipped classifier's input: 256-sample frames, 1 s windows. */
    static final DetectorSettings SETTINGS = new DetectorSettings(RATE, 256, 6.0, 3.0, 3, 16, 5, 31.25, 3.0 / 62.5,
            1600, RATE);

    /** White noise (RMS 0.005) with a burst of {@code seconds[i][1]} s at {@code seconds[i][0]}, 10 dB above it. */
    static float[] stream(double length, double[][] bursts, long seed) {
        Random rnd = new Random(seed);
        float[] s = new float[(int) (length * RATE)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.005 * rnd.nextGaussian());
        }
        double amplitude = 0.005 * Math.sqrt(10) * Math.sqrt(2.0 / 3); // three equal harmonics: mean square 10x noise
        for (double[] b : bursts) {
            int from = (int) (b[0] * RATE);
            int to = (int) ((b[0] + b[1]) * RATE);
            for (int i = from; i < to && i < s.length; i++) {
                double t = (double) i / RATE;
                s[i] += (float) (amplitude * (Math.sin(2 * Math.PI * 150 * t) + Math.sin(2 * Math.PI * 450 * t)
                        + Math.sin(2 * Math.PI * 900 * t)));
            }
        }
        return s;
    }

    static List<SpeechSegment> detect(float[] samples, int chunk) {
        SpeechDetector detector = new SpeechDetector(SETTINGS);
        DetectorState state = new DetectorState();
        List<SpeechSegment> out = new ArrayList<>();
        for (int at = 0; at < samples.length; at += chunk) {
            detector.feed(state, Arrays.copyOfRange(samples, at, Math.min(samples.length, at + chunk)), false, out::add);
        }
        detector.feed(state, new float[0], true, out::add);
        return out;
    }

    @Test
    void findsEachBurstAtItsTimesAndCutsTheWindowAroundIt() {
        double[][] bursts = {{1.0, 0.4}, {3.2, 0.6}, {5.0, 0.3}, {7.9, 0.5}};
        float[] samples = stream(8.6, bursts, 1);
        List<SpeechSegment> words = detect(samples, 1600);
        assertEquals(bursts.length, words.size(), "one word per burst, none in the noise: " + words);
        for (int i = 0; i < bursts.length; i++) {
            SpeechSegment w = words.get(i);
            assertEquals(i, w.index());
            assertEquals(bursts[i][0], (double) w.startSample() / RATE, 0.05, "start of word " + i);
            assertEquals(bursts[i][0] + bursts[i][1], (double) w.endSample() / RATE, 0.05, "end of word " + i);
            int from = (int) (w.startSample() - SETTINGS.preRollSamples());
            float[] expected = Arrays.copyOf(Arrays.copyOfRange(samples, from, Math.min(samples.length, from + RATE)), RATE);
            assertArrayEquals(expected, w.window(), "window " + i + ": 0.1 s before the word, zero-padded past the end");
        }
    }

    @Test
    void theWordsDoNotDependOnHowTheStreamIsCutIntoChunks() {
        float[] samples = stream(6, new double[][] {{0.5, 0.5}, {2.0, 0.3}, {4.4, 0.7}}, 2);
        List<SpeechSegment> whole = detect(samples, samples.length);
        assertEquals(3, whole.size());
        for (int chunk : new int[] {1, 255, 256, 1600, 7919}) {
            List<SpeechSegment> cut = detect(samples, chunk);
            assertEquals(whole.size(), cut.size(), "chunks of " + chunk);
            for (int i = 0; i < whole.size(); i++) {
                assertEquals(whole.get(i).startSample(), cut.get(i).startSample(), "chunks of " + chunk);
                assertEquals(whole.get(i).endSample(), cut.get(i).endSample(), "chunks of " + chunk);
                assertArrayEquals(whole.get(i).window(), cut.get(i).window(), "chunks of " + chunk);
            }
        }
    }

    @Test
    void aWordStillHeardAtTheEndOfTheStreamEndsWithIt() {
        List<SpeechSegment> words = detect(stream(2, new double[][] {{1.6, 1.0}}, 3), 1600);
        assertEquals(1, words.size());
        assertEquals(1.6, (double) words.get(0).startSample() / RATE, 0.05);
        assertTrue(words.get(0).endSample() <= 2 * RATE, "ends with the stream");
    }

    /**
     * Memory stays flat however long the stream: after an hour of input (noise, a word every 2.5 s and a
     * minute of loud noise, which the floor must catch up with) the state, serialized as a checkpoint
     * writes it, is never larger than two windows of samples plus a few fields.
     */
    @Test
    void stateStaysBoundedOverAnHourOfInput() throws Exception {
        TypeSerializer<DetectorState> serializer = TypeInformation.of(DetectorState.class)
                .createSerializer(new SerializerConfigImpl());
        SpeechDetector detector = new SpeechDetector(SETTINGS);
        DetectorState state = new DetectorState();
        float[] minute = stream(60, bursts(60), 4);
        float[] loud = stream(60, new double[0][], 5);
        for (int i = 0; i < loud.length; i++) {
            loud[i] *= 10;
        }
        int bound = 2 * SETTINGS.windowSamples() * Float.BYTES + 1024;
        int largest = 0;
        int[] words = new int[60];
        DataOutputSerializer bytes = new DataOutputSerializer(1 << 16);
        List<SpeechSegment> found = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            float[] samples = m == 30 ? loud : minute;
            for (int at = 0; at < samples.length; at += 1600) {
                detector.feed(state, Arrays.copyOfRange(samples, at, at + 1600), false, found::add);
                if (at % 16000 == 0) {
                    bytes.clear();
                    serializer.serialize(state, bytes);
                    largest = Math.max(largest, bytes.length());
                }
            }
            words[m] = found.size();
            found.clear();
        }
        assertTrue(largest <= bound, "state of " + largest + " bytes, bound " + bound);
        assertTrue(state.history.length <= 2 * SETTINGS.windowSamples(), "samples kept: " + state.history.length);
        for (int m = 0; m < 60; m++) {
            if (m != 30) {
                assertEquals(24, words[m], "minute " + m + ": one word per burst");
            }
        }
        // While the floor catches up with noise 20 dB louder, the noise is heard as words cut at the window's
        // length; after that, none.
        assertTrue(words[30] <= 10, "words in the loud minute: " + words[30]);
    }

    /** Keyed state Flink serializes as POJOs, whose schema may evolve (fields added or removed) across savepoints. */
    @Test
    void theStateAndTheDetectionsAreFlinkPojos() {
        assertTrue(TypeInformation.of(DetectorState.class) instanceof PojoTypeInfo, "DetectorState");
        assertTrue(TypeInformation.of(Detection.class) instanceof PojoTypeInfo, "Detection");
        assertTrue(TypeInformation.of(SpeechWindow.class) instanceof PojoTypeInfo, "SpeechWindow");
    }

    /** A word of 0.4 s every 2.5 s, starting at 1 s. */
    static double[][] bursts(double seconds) {
        List<double[]> b = new ArrayList<>();
        for (double t = 1.0; t + 0.5 < seconds; t += 2.5) {
            b.add(new double[] {t, 0.4});
        }
        return b.toArray(double[][]::new);
    }
}
