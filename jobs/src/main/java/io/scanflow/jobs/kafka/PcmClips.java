package io.scanflow.jobs.kafka;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** Mono 16-bit PCM WAV files as samples and back: what a live microphone would publish as {@link PcmFrame}s. */
public final class PcmClips {
    private PcmClips() {
    }

    /** The samples of a mono 16-bit WAV file. */
    public static short[] read(Path wav) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat f = in.getFormat();
            if (f.getChannels() != 1 || f.getSampleSizeInBits() != 16 || f.isBigEndian()) {
                throw new IOException(wav + ": expected mono 16-bit little-endian PCM, found " + f);
            }
            byte[] bytes = in.readAllBytes();
            short[] samples = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
            return samples;
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(wav + ": not a WAV file: " + e.getMessage(), e);
        }
    }

    /** The clips one after another. */
    public static short[] concat(List<Path> wavs) throws IOException {
        short[] joined = new short[0];
        for (Path wav : wavs) {
            short[] clip = read(wav);
            joined = Arrays.copyOf(joined, joined.length + clip.length);
            System.arraycopy(clip, 0, joined, joined.length - clip.length, clip.length);
        }
        return joined;
    }

    /** Writes {@code samples} as a mono 16-bit WAV file at {@code sampleRate}. */
    public static Path write(Path wav, int sampleRate, short[] samples) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(samples);
        AudioFormat format = new AudioFormat(sampleRate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()), format, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, wav.toFile());
        }
        return wav;
    }
}
