package io.scanflow.audio.io;

import be.tarsos.dsp.io.PipeDecoder;
import be.tarsos.dsp.io.TarsosDSPAudioFloatConverter;
import io.scanflow.audio.AudioFormatException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Formats other than WAV, through TarsosDSP's {@link PipeDecoder} running ffmpeg (mono, 16-bit, resampled
 * by ffmpeg to the rate asked for). Only ffmpeg found on the PATH is used; TarsosDSP's own fallback of
 * downloading a binary is never reached.
 */
final class FfmpegDecoder implements SampleStream {
    private static final String COMMAND = " -loglevel quiet -ss %input_seeking% %number_of_seconds% -i \"%resource%\""
            + " -vn -ar %sample_rate% -ac %channels% -sample_fmt s16 -f s16le pipe:1";

    /** TarsosDSP logs every pipe it opens and closes at INFO; kept (a logger held only weakly loses its level). */
    private static final java.util.logging.Logger PIPE_LOG = quiet();

    private final Path file;
    private final int rate;
    private final InputStream pcm;
    private final TarsosDSPAudioFloatConverter converter;
    private byte[] bytes = new byte[0];
    private int carry;
    private long samples;

    FfmpegDecoder(Path file, int rate) {
        Path ffmpeg = findFfmpeg();
        if (ffmpeg == null) {
            throw new AudioFormatException(file, 0, "format", "not a WAV file, and decoding other formats needs ffmpeg "
                    + "on the PATH: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg) or convert the file to WAV");
        }
        this.file = file;
        this.rate = rate;
        PipeDecoder decoder = new PipeDecoder("/bin/bash", "-c", ffmpeg + COMMAND, null, 1 << 16);
        this.pcm = decoder.getDecodedStream(file.toAbsolutePath().toString(), rate, 0, -1);
        this.converter = TarsosDSPAudioFloatConverter.getConverter(PipeDecoder.getTargetAudioFormat(rate));
    }

    private static java.util.logging.Logger quiet() {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(PipeDecoder.class.getName());
        log.setLevel(java.util.logging.Level.WARNING);
        return log;
    }

    static Path findFfmpeg() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "ffmpeg");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    @Override
    public int read(float[] out, int offset, int length) {
        int need = length * 2;
        if (bytes.length < need) {
            bytes = java.util.Arrays.copyOf(bytes, need);
        }
        try {
            int have = carry;
            while (have < 2) {
                int n = pcm.read(bytes, have, need - have);
                if (n < 0) {
                    if (samples == 0) {
                        throw new AudioFormatException(file, 0, "format", "ffmpeg decoded no audio from this file "
                                + "(not an audio file, or a format ffmpeg does not know)");
                    }
                    return -1;
                }
                have += n;
            }
            int whole = have / 2;
            converter.toFloatArray(bytes, 0, out, offset, whole);
            carry = have - whole * 2;
            if (carry == 1) {
                bytes[0] = bytes[whole * 2];
            }
            samples += whole;
            return whole;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": ffmpeg pipe failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            pcm.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
