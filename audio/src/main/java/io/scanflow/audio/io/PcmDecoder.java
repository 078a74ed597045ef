package io.scanflow.audio.io;

import be.tarsos.dsp.io.TarsosDSPAudioFloatConverter;
import be.tarsos.dsp.io.TarsosDSPAudioFormat;
import io.scanflow.audio.AudioFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a WAV file's sample frames at the file's own rate and turns them into mono floats: TarsosDSP's
 * {@link TarsosDSPAudioFloatConverter} converts the PCM bytes, then the channels are averaged (mix-down)
 * or one channel is picked. Seeks to any frame directly.
 */
final class PcmDecoder implements SampleStream {
    private static final int FRAMES_PER_READ = 4096;

    private final Path file;
    private final WavHeader header;
    private final int channel;
    private final FileChannel channelFile;
    private final TarsosDSPAudioFloatConverter converter;
    private final ByteBuffer bytes;
    private final float[] interleaved;
    private long frame;

    /** @param channel -1 to mix all channels down to mono, else the channel to read */
    PcmDecoder(Path file, WavHeader header, int channel) {
        if (channel >= header.channels()) {
            throw new IllegalArgumentException(file + ": channel " + channel + " asked for, the file has "
                    + header.channels());
        }
        this.file = file;
        this.header = header;
        this.channel = channel;
        TarsosDSPAudioFormat format = header.floatingPoint()
                ? new TarsosDSPAudioFormat(TarsosDSPAudioFloatConverter.PCM_FLOAT, header.sampleRate(),
                        header.bitsPerSample(), header.channels(), header.frameBytes(), header.sampleRate(), false)
                // 8-bit WAV is unsigned; wider integer PCM is signed. WAV is little-endian.
                : new TarsosDSPAudioFormat(header.sampleRate(), header.bitsPerSample(), header.channels(),
                        header.bitsPerSample() > 8, false);
        this.converter = TarsosDSPAudioFloatConverter.getConverter(format);
        if (converter == null) {
            throw new AudioFormatException(file, 0, "fmt", "TarsosDSP has no converter for " + format);
        }
        this.bytes = ByteBuffer.allocate(FRAMES_PER_READ * header.frameBytes());
        this.interleaved = new float[FRAMES_PER_READ * header.channels()];
        try {
            this.channelFile = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public int sampleRate() {
        return header.sampleRate();
    }

    @Override
    public int read(float[] out, int offset, int length) {
        long left = header.frames() - frame;
        if (left <= 0) {
            return -1;
        }
        int frames = (int) Math.min(Math.min(length, FRAMES_PER_READ), left);
        int need = frames * header.frameBytes();
        bytes.clear().limit(need);
        long at = header.dataOffset() + frame * header.frameBytes();
        try {
            while (bytes.hasRemaining()) {
                if (channelFile.read(bytes, at + bytes.position()) < 0) {
                    throw new AudioFormatException(file, at + bytes.position(), "data",
                            "the file ended while reading samples (was it truncated while being read?)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": read failed at byte " + at + ": " + e.getMessage(), e);
        }
        int channels = header.channels();
        converter.toFloatArray(bytes.array(), 0, interleaved, 0, frames * channels);
        if (channel >= 0) {
            for (int i = 0; i < frames; i++) {
                out[offset + i] = interleaved[i * channels + channel];
            }
        } else {
            MonoMix.average(interleaved, channels, frames, out, offset);
        }
        frame += frames;
        return frames;
    }

    @Override
    public long skip(long samples) {
        long n = Math.max(0, Math.min(samples, header.frames() - frame));
        frame += n;
        return n;
    }

    @Override
    public void close() {
        try {
            channelFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
