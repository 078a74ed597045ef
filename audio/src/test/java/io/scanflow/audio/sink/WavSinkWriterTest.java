package io.scanflow.audio.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.WavFixtures;
import io.scanflow.audio.source.AudioChunk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files appear only on commit, once, and a writer restored from a checkpoint resumes at its sample count. */
class WavSinkWriterTest {
    @TempDir
    Path dir;

    static AudioChunk chunk(String stream, float[] all, int from, int to, boolean last) {
        return new AudioChunk(stream, from, 8000, Arrays.copyOfRange(all, from, to), last);
    }

    static final class Request implements Committer.CommitRequest<WavCommittable> {
        final WavCommittable c;
        boolean already;
        boolean retry;

        Request(WavCommittable c) {
            this.c = c;
        }

        public WavCommittable getCommittable() {
            return c;
        }

        public int getNumberOfRetries() {
            return 0;
        }

        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError(t);
        }

        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError(t);
        }

        public void retryLater() {
            retry = true;
        }

        public void updateAndRetryLater(WavCommittable c) {
            retry = true;
        }

        public void signalAlreadyCommitted() {
            already = true;
        }
    }

    static List<Request> commit(Collection<WavCommittable> cs) {
        List<Request> rs = new ArrayList<>();
        cs.forEach(c -> rs.add(new Request(c)));
        new WavCommitter().commit(new ArrayList<>(rs));
        return rs;
    }

    @Test
    void aFinishedStreamBecomesVisibleOnlyWhenCommittedAndOnlyOnce() throws IOException {
        float[] s = WavFixtures.sine(300, 8000, 5000, 0.4);
        WavSinkWriter w = new WavSinkWriter(dir, List.of());
        w.write(chunk("a", s, 0, 3000, false), null);
        w.write(chunk("a", s, 3000, 5000, true), null);
        Path target = dir.resolve("a.wav");
        assertFalse(Files.exists(target), "not visible before the checkpoint completes");
        Collection<WavCommittable> cs = w.prepareCommit();
        assertEquals(1, cs.size());
        assertFalse(Files.exists(target));
        commit(cs);
        assertArrayEquals(s, AudioFiles.readAll(target, 8000), 1f / 32767);
        List<Request> again = commit(cs); // a retry after a failure between commit and acknowledgement
        assertTrue(again.get(0).already);
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(target), listing.toList(), "no leftovers");
        }
    }

    @Test
    void aRestoredWriterCutsBackToTheCheckpointAndContinues() throws IOException {
        float[] s = WavFixtures.sine(500, 8000, 9000, 0.4);
        WavSinkWriter w = new WavSinkWriter(dir, List.of());
        w.write(chunk("b", s, 0, 4000, false), null);
        List<WavWriterState> checkpoint = w.snapshotState(1);
        assertEquals(4000, checkpoint.get(0).samples());
        w.write(chunk("b", s, 4000, 6000, false), null); // written after the checkpoint, then the job fails
        w.write(new AudioChunk("b", 6000, 8000, new float[] {0.9f, 0.9f}, false), null);
        w.snapshotState(2); // pushes those bytes to the file, as a later flush would
        w.close();

        WavSinkWriter restored = new WavSinkWriter(dir, checkpoint);
        restored.write(chunk("b", s, 4000, 7000, false), null); // the replay from the checkpoint
        restored.write(chunk("b", s, 6500, 9000, true), null);  // overlapping replay is trimmed
        commit(restored.prepareCommit());
        assertArrayEquals(s, AudioFiles.readAll(dir.resolve("b.wav"), 8000), 1f / 32767);
    }

    /** More open streams than sync threads: every file is synced (its bytes on disk) and recorded in order. */
    @Test
    void manyOpenStreamsAreSyncedAndRecordedAtACheckpoint() throws IOException {
        int streams = 3 * WavSinkWriter.SYNC_THREADS + 5;
        WavSinkWriter w = new WavSinkWriter(dir, List.of());
        for (int i = 0; i < streams; i++) {
            w.write(new AudioChunk("s" + i, 0, 8000, new float[100 + i], false), null);
        }
        List<WavWriterState> states = w.snapshotState(1);
        assertEquals(streams, states.size());
        for (int i = 0; i < streams; i++) {
            WavWriterState st = states.get(i);
            assertEquals("s" + i, st.stream());
            assertEquals(100 + i, st.samples());
            assertEquals(44 + 2L * (100 + i), Files.size(Path.of(st.pending())), "header and samples on disk");
        }
        w.close();
    }

    @Test
    void endOfInputFinishesOpenStreams() {
        float[] s = WavFixtures.sine(200, 8000, 800, 0.4);
        WavSinkWriter w = new WavSinkWriter(dir, List.of());
        w.write(chunk("c", s, 0, 800, false), null);
        w.flush(true);
        commit(w.prepareCommit());
        assertEquals(800, AudioFiles.readAll(dir.resolve("c.wav"), 8000).length);
    }
}
