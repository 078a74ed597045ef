package io.scanflow.audio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formats other than WAV through ffmpeg; skipped where ffmpeg is not installed (the tests need not it). */
class FfmpegDecodingTest {
    @TempDir
    Path dir;

    @Test
    void flacDecodesThroughTheFfmpegPipeToTheSameSamples() throws Exception {
        Path ffmpeg = FfmpegDecoder.findFfmpeg();
        assumeTrue(ffmpeg != null, "ffmpeg is not on the PATH");
        float[] s = WavFixtures.sine(440, 16000, 16000, 0.5);
        Path wav = WavFixtures.pcm16(dir.resolve("a.wav"), 16000, s);
        Path flac = dir.resolve("a.flac");
        Process p = new ProcessBuilder(ffmpeg.toString(), "-loglevel", "quiet", "-i", wav.toString(), flac.toString())
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        float[] back = AudioFiles.readAll(flac, 16000);
        assertEquals(s.length, back.length);
        double err = 0;
        for (int i = 0; i < s.length; i++) {
            err = Math.max(err, Math.abs(back[i] - s[i]));
        }
        assertEquals(0, err, 2.0 / 32767, "FLAC is lossless");
    }
}
