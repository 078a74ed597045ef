package io.scanflow.audio.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.WavFixtures;
import io.scanflow.model.io.BadInput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits read in chunks, and a split restored at sample k continues with exactly sample k. */
class AudioSplitReaderTest {
    @TempDir
    Path dir;

    /** Everything one reader emits for the given splits, in order, until all are finished. */
    static List<AudioRecord> readAll(int rate, int chunk, AudioSplit... splits) {
        AudioSplitReader reader = new AudioSplitReader(rate, chunk);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(splits)));
        List<AudioRecord> out = new ArrayList<>();
        int finished = 0;
        while (finished < splits.length) {
            RecordsWithSplitIds<AudioRecord> batch = reader.fetch();
            while (batch.nextSplit() != null) {
                AudioRecord r;
                while ((r = batch.nextRecordFromSplit()) != null) {
                    out.add(r);
                }
            }
            finished += batch.finishedSplits().size();
        }
        reader.close();
        return out;
    }

    static float[] samples(List<AudioRecord> records) {
        float[] all = new float[0];
        long expected = -1;
        for (AudioRecord r : records) {
            assertNotNull(r.chunk);
            if (expected >= 0) {
                assertEquals(expected, r.chunk.firstSample, "chunks are contiguous");
            }
            int n = all.length;
            all = Arrays.copyOf(all, n + r.chunk.samples.length);
            System.arraycopy(r.chunk.samples, 0, all, n, r.chunk.samples.length);
            expected = r.chunk.firstSample + r.chunk.samples.length;
        }
        return all;
    }

    private Path noise(String name, int rate, int n) {
        java.util.Random rnd = new java.util.Random(name.hashCode());
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) (0.3 * Math.sin(i * 0.05) + 0.1 * rnd.nextGaussian());
        }
        return WavFixtures.pcm16(dir.resolve(name), rate, s);
    }

    private void restoresExactly(Path file, int rate) {
        String path = file.toString();
        float[] full = samples(readAll(rate, 1000, new AudioSplit(path, -1, "s", 0, false)));
        assertArrayEquals(AudioFiles.readAll(file, rate), full, "chunked read equals a whole read");
        for (long k : new long[] {1, 999, 1000, 12345, full.length - 1}) {
            List<AudioRecord> rest = readAll(rate, 1000, new AudioSplit(path, -1, "s", k, false));
            assertEquals(k, rest.get(0).chunk.firstSample);
            assertArrayEquals(Arrays.copyOfRange(full, (int) k, full.length), samples(rest), "restored at " + k);
            assertTrue(rest.get(rest.size() - 1).chunk.last);
        }
    }

    @Test
    void restoreAtTheFilesOwnRateSeeksToTheExactSample() {
        restoresExactly(noise("native.wav", 16000, 30000), 16000);
    }

    @Test
    void restoreThroughTheResamplerContinuesWithTheSameSamples() {
        restoresExactly(noise("resampled.wav", 44100, 60000), 16000);
    }

    @Test
    void aSplitWhoseEndWasAlreadyEmittedEmitsNothingAgain() {
        Path f = noise("done.wav", 8000, 100);
        assertEquals(List.of(), readAll(8000, 50, new AudioSplit(f.toString(), -1, "s", 100, true)));
    }

    @Test
    void eventTimeFollowsTheSamplePosition() {
        Path f = noise("t.wav", 16000, 40000);
        List<AudioRecord> r = readAll(16000, 1600, new AudioSplit(f.toString(), -1, "s", 0, false));
        assertEquals(0, r.get(0).chunk.eventTimeMillis());
        assertEquals(100, r.get(1).chunk.eventTimeMillis());
        assertEquals(2400, r.get(24).chunk.eventTimeMillis());
    }

    @Test
    void aBadFileYieldsANamedErrorAndTheNextFileStillFlows() {
        Path bad = WavFixtures.write(dir.resolve("bad.wav"), "not audio at all".getBytes(StandardCharsets.US_ASCII));
        Path good = noise("good.wav", 8000, 2500);
        List<AudioRecord> r = readAll(8000, 1000, new AudioSplit(bad.toString(), -1, "bad.wav", 0, false),
                new AudioSplit(good.toString(), -1, "good.wav", 0, false));
        assertNotNull(r.get(0).error);
        assertEquals("bad.wav", r.get(0).error.file(), "the input's name, as the genomics source names it");
        assertEquals("byte 0", r.get(0).error.record());
        assertEquals("riff.id", r.get(0).error.field());
        assertEquals(BadInput.UNKNOWN, r.get(0).error.recordsLost(), "the rest of the file is not read");
        assertEquals(2500, samples(r.subList(1, r.size())).length);
    }
}
