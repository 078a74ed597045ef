package io.scanflow.audio.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.TestPaths;
import io.scanflow.audio.features.FeatureExtractor;
import io.scanflow.audio.source.AudioChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Windows and their features as chunks arrive, and the same windows after a restore mid-stream. */
class FeatureWindowFunctionTest {
    static final Path MODEL = TestPaths.models().resolve("digit-classifier");

    static KeyedOneInputStreamOperatorTestHarness<String, AudioChunk, FeatureWindow> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FeatureWindowFunction(MODEL)), c -> c.stream, Types.STRING);
    }

    static List<FeatureWindow> windows(KeyedOneInputStreamOperatorTestHarness<String, AudioChunk, FeatureWindow> h) {
        List<FeatureWindow> out = new ArrayList<>();
        h.extractOutputValues().forEach(out::add);
        return out;
    }

    static List<AudioChunk> chunks(String stream, float[] s, int size) {
        List<AudioChunk> out = new ArrayList<>();
        for (int from = 0; from < s.length; from += size) {
            int to = Math.min(s.length, from + size);
            out.add(new AudioChunk(stream, from, 16000, Arrays.copyOfRange(s, from, to), to == s.length));
        }
        return out;
    }

    @Test
    void aStreamIsCutIntoTheModelsWindowsWithTheRightFeatures() throws Exception {
        AudioInput input = AudioInput.load(MODEL);
        float[] s = new float[36800]; // 2.3 s: windows at 0, 0.5, 1.0 and 1.5 s (the last one zero-padded)
        Random rnd = new Random(1);
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.2 * rnd.nextGaussian());
        }
        assertEquals(4, input.windows(s.length));
        List<FeatureWindow> got;
        try (var h = harness()) {
            h.open();
            for (AudioChunk c : chunks("a", s, 1600)) {
                h.processElement(c, 0);
            }
            got = windows(h);
        }
        assertEquals(4, got.size());
        FeatureExtractor fx = new FeatureExtractor(input.features());
        for (int i = 0; i < 4; i++) {
            FeatureWindow w = got.get(i);
            assertEquals(i, w.window);
            assertEquals(0.5 * i, w.startSeconds, 1e-9);
            assertEquals(i == 3, w.last);
            float[] window = Arrays.copyOf(Arrays.copyOfRange(s, i * 8000, Math.min(s.length, i * 8000 + 16000)), 16000);
            float[] expected = input.normalization().apply(fx.extract(window, 0, 16000), input.features().width());
            assertArrayEquals(expected, w.features, "window " + i);
        }
    }

    @Test
    void aShortStreamStillGetsOneZeroPaddedWindow() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new AudioChunk("short", 0, 16000, new float[3000], true), 0);
            List<FeatureWindow> got = windows(h);
            assertEquals(1, got.size());
            assertTrue(got.get(0).last);
        }
    }

    @Test
    void aRestoredFunctionContinuesWithTheSameWindows() throws Exception {
        float[] s = new float[40000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.sin(i * 0.01);
        }
        List<AudioChunk> all = chunks("r", s, 3000);
        List<FeatureWindow> straight;
        try (var h = harness()) {
            h.open();
            for (AudioChunk c : all) {
                h.processElement(c, 0);
            }
            straight = windows(h);
        }
        OperatorSubtaskState snapshot;
        List<FeatureWindow> before;
        try (var h = harness()) {
            h.open();
            for (AudioChunk c : all.subList(0, 6)) {
                h.processElement(c, 0);
            }
            before = windows(h);
            snapshot = h.snapshot(1, 1);
        }
        List<FeatureWindow> after;
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            for (AudioChunk c : all.subList(6, all.size())) {
                h.processElement(c, 0);
            }
            after = windows(h);
        }
        List<FeatureWindow> resumed = new ArrayList<>(before);
        resumed.addAll(after);
        assertEquals(straight.size(), resumed.size());
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).window, resumed.get(i).window);
            assertArrayEquals(straight.get(i).features, resumed.get(i).features);
        }
    }
}
