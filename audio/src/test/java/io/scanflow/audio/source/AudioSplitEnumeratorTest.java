package io.scanflow.audio.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.WavFixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioSplitEnumeratorTest {
    @TempDir
    Path dir;

    private static List<String> assigned(MockSplitEnumeratorContext<AudioSplit> ctx) {
        List<String> streams = new ArrayList<>();
        for (SplitsAssignment<AudioSplit> a : ctx.getSplitsAssignmentSequence()) {
            a.assignment().values().forEach(l -> l.forEach(s -> streams.add(s.stream())));
        }
        return streams;
    }

    private Path wav(String name, int channels) {
        float[][] chans = new float[channels][];
        for (int c = 0; c < channels; c++) {
            chans[c] = WavFixtures.sine(100 * (c + 1), 8000, 800, 0.3);
        }
        return WavFixtures.pcm16(dir.resolve(name), 8000, chans);
    }

    @Test
    void boundedSourceHandsOutOneFilePerRequestThenSaysNoMore() throws Exception {
        wav("b.wav", 1);
        wav("a.wav", 1);
        try (MockSplitEnumeratorContext<AudioSplit> ctx = new MockSplitEnumeratorContext<>(1)) {
            ctx.registerReader(new ReaderInfo(0, "host"));
            AudioSplitEnumerator e = new AudioSplitEnumerator(ctx, new AudioFileDiscovery(List.of(dir.toString()), false),
                    null, new AudioEnumeratorState(List.of(), Set.of()));
            e.start();
            e.handleSplitRequest(0, "host");
            assertEquals(List.of("a.wav"), assigned(ctx), "folders are read in name order");
            assertFalse(ctx.hasNoMoreSplits(0));
            e.handleSplitRequest(0, "host");
            e.handleSplitRequest(0, "host");
            assertEquals(List.of("a.wav", "b.wav"), assigned(ctx));
            assertTrue(ctx.hasNoMoreSplits(0));
        }
    }

    @Test
    void perChannelModeMakesOneStreamPerChannel() throws Exception {
        wav("st.wav", 2);
        List<AudioSplit> splits = new AudioFileDiscovery(List.of(dir.toString()), true).discover(new java.util.HashSet<>());
        assertEquals(List.of("st.wav#c0", "st.wav#c1"), splits.stream().map(AudioSplit::stream).toList());
        assertEquals(List.of(0, 1), splits.stream().map(AudioSplit::channel).toList());
    }

    @Test
    void aWatchedFolderYieldsFilesThatAppearLaterOnceEvenAfterARestore() throws Throwable {
        wav("first.wav", 1);
        AudioFileDiscovery discovery = new AudioFileDiscovery(List.of(dir.toString()), false);
        AudioEnumeratorState checkpoint;
        try (MockSplitEnumeratorContext<AudioSplit> ctx = new MockSplitEnumeratorContext<>(1)) {
            ctx.registerReader(new ReaderInfo(0, "host"));
            AudioSplitEnumerator e = new AudioSplitEnumerator(ctx, discovery, Duration.ofSeconds(1),
                    new AudioEnumeratorState(List.of(), Set.of()));
            e.start();
            e.handleSplitRequest(0, "host");
            e.handleSplitRequest(0, "host"); // nothing yet: the reader waits, no end signal
            assertFalse(ctx.hasNoMoreSplits(0));
            wav("second.wav", 1);
            ctx.runPeriodicCallable(0);
            assertEquals(List.of("first.wav", "second.wav"), assigned(ctx), "the waiting reader got the new file");
            checkpoint = e.snapshotState(1);
        }
        wav("third.wav", 1);
        try (MockSplitEnumeratorContext<AudioSplit> ctx = new MockSplitEnumeratorContext<>(1)) {
            ctx.registerReader(new ReaderInfo(0, "host"));
            AudioSplitEnumerator e = new AudioSplitEnumerator(ctx, discovery, Duration.ofSeconds(1), checkpoint);
            e.start();
            ctx.runPeriodicCallable(0);
            e.handleSplitRequest(0, "host");
            e.handleSplitRequest(0, "host");
            assertEquals(List.of("third.wav"), assigned(ctx), "files seen before the checkpoint are not read again");
        }
    }
}
