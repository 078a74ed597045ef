package io.scanflow.audio.io;

import io.scanflow.audio.AudioFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Walks a RIFF/WAVE file's chunks and validates the {@code fmt } chunk, so bad input fails with the byte
 * offset and field at fault instead of deep inside a decoder. Sample conversion itself is TarsosDSP's
 * ({@link PcmDecoder}).
 *
 * <p>Accepted: integer PCM of 8 (unsigned), 16, 24 or 32 bits, IEEE float of 32 or 64 bits, the
 * extensible format tag carrying either, any channel count. A data size of {@code 0xFFFFFFFF} (written by
 * streaming recorders that never patch the header) means "to the end of the file".
 */
public final class WavHeaderReader {
    private static final int FORMAT_PCM = 1;
    private static final int FORMAT_FLOAT = 3;
    private static final int FORMAT_EXTENSIBLE = 0xFFFE;
    private static final long SIZE_UNKNOWN = 0xFFFFFFFFL;

    private WavHeaderReader() {}

    /** True when the file starts like a RIFF/WAVE file (used to pick the decoder). */
    public static boolean looksLikeWav(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            return ch.read(b, 0) == 4 && "RIFF".equals(new String(b.array(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    public static WavHeader read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    static WavHeader read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer start = ByteBuffer.allocate((int) Math.min(4, size));
        ch.read(start, 0);
        if (!"RIFF".startsWith(new String(start.array(), StandardCharsets.US_ASCII))) {
            throw new AudioFormatException(file, 0, "riff.id", "not a WAV file: expected 'RIFF', found '"
                    + new String(start.array(), StandardCharsets.US_ASCII).replaceAll("[^ -~]", "?") + "'");
        }
        ByteBuffer riff = readAt(file, ch, 0, 12, "RIFF header");
        String id = fourCc(riff, 0);
        if (!id.equals("RIFF")) {
            throw new AudioFormatException(file, 0, "riff.id",
                    "not a WAV file: expected 'RIFF', found " + printable(riff, 0));
        }
        if (!fourCc(riff, 8).equals("WAVE")) {
            throw new AudioFormatException(file, 8, "riff.format",
                    "RIFF file is not WAVE audio: expected 'WAVE', found " + printable(riff, 8));
        }
        long pos = 12;
        Format fmt = null;
        while (true) {
            if (pos + 8 > size) {
                throw new AudioFormatException(file, pos, fmt == null ? "fmt" : "data",
                        "truncated header: the file ends at byte " + size + " before a '"
                                + (fmt == null ? "fmt " : "data") + "' chunk");
            }
            ByteBuffer head = readAt(file, ch, pos, 8, "chunk header");
            String chunk = fourCc(head, 0);
            long chunkSize = head.getInt(4) & 0xFFFFFFFFL;
            long body = pos + 8;
            if (chunk.equals("fmt ")) {
                fmt = readFormat(file, ch, body, chunkSize);
            } else if (chunk.equals("data")) {
                if (fmt == null) {
                    throw new AudioFormatException(file, pos, "fmt", "'data' chunk before any 'fmt ' chunk");
                }
                return dataHeader(file, fmt, pos, body, chunkSize, size);
            }
            pos = body + chunkSize + (chunkSize & 1);
        }
    }

    private record Format(int channels, int sampleRate, int bits, boolean floating) {}

    private static Format readFormat(Path file, FileChannel ch, long body, long chunkSize) throws IOException {
        if (chunkSize < 16) {
            throw new AudioFormatException(file, body - 4, "fmt.size", "fmt chunk of " + chunkSize
                    + " bytes; at least 16 expected");
        }
        ByteBuffer f = readAt(file, ch, body, (int) Math.min(chunkSize, 40), "fmt");
        int tag = f.getShort(0) & 0xFFFF;
        int channels = f.getShort(2) & 0xFFFF;
        long rate = f.getInt(4) & 0xFFFFFFFFL;
        int blockAlign = f.getShort(12) & 0xFFFF;
        int bits = f.getShort(14) & 0xFFFF;
        if (tag == FORMAT_EXTENSIBLE) {
            if (chunkSize < 40) {
                throw new AudioFormatException(file, body, "fmt.size", "extensible format needs a 40-byte fmt chunk, found "
                        + chunkSize);
            }
            tag = f.getShort(24) & 0xFFFF; // the sub-format GUID starts with the plain format tag
        }
        if (tag != FORMAT_PCM && tag != FORMAT_FLOAT) {
            throw new AudioFormatException(file, body, "fmt.audioFormat", "unsupported encoding tag " + tag
                    + " (supported: 1 = integer PCM, 3 = IEEE float, or extensible carrying either)");
        }
        if (channels == 0) {
            throw new AudioFormatException(file, body + 2, "fmt.channels", "0 channels");
        }
        if (rate == 0 || rate > 1_000_000) {
            throw new AudioFormatException(file, body + 4, "fmt.sampleRate", "sample rate " + rate + " Hz is out of range");
        }
        boolean floating = tag == FORMAT_FLOAT;
        boolean supported = floating ? bits == 32 || bits == 64 : bits == 8 || bits == 16 || bits == 24 || bits == 32;
        if (!supported) {
            throw new AudioFormatException(file, body + 14, "fmt.bitsPerSample", "unsupported sample width of " + bits
                    + " bits (supported: " + (floating ? "32 or 64 bit float" : "8, 16, 24 or 32 bit integer PCM") + ")");
        }
        if (blockAlign != channels * bits / 8) {
            throw new AudioFormatException(file, body + 12, "fmt.blockAlign", "block align " + blockAlign
                    + " does not match " + channels + " channels of " + bits + " bits");
        }
        return new Format(channels, (int) rate, bits, floating);
    }

    private static WavHeader dataHeader(Path file, Format fmt, long chunkStart, long body, long declared, long fileSize) {
        int frameBytes = fmt.channels * fmt.bits / 8;
        long available = fileSize - body;
        long bytes = declared == SIZE_UNKNOWN ? available : declared;
        if (bytes == 0 || (declared == SIZE_UNKNOWN && available < frameBytes)) {
            throw new AudioFormatException(file, chunkStart + 4, "data.size", "zero-length audio data");
        }
        if (bytes > available) {
            throw new AudioFormatException(file, fileSize, "data", "truncated data: the header declares " + bytes
                    + " bytes of samples from byte " + body + ", the file ends after " + available);
        }
        if (bytes < frameBytes) {
            throw new AudioFormatException(file, chunkStart + 4, "data.size", bytes + " bytes of data is less than one "
                    + frameBytes + "-byte frame");
        }
        return new WavHeader(fmt.channels, fmt.sampleRate, fmt.bits, fmt.floating, body, bytes - bytes % frameBytes);
    }

    private static ByteBuffer readAt(Path file, FileChannel ch, long pos, int length, String field) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new AudioFormatException(file, pos + b.position(), field, "truncated header: the file ends at byte "
                        + (pos + b.position()) + ", inside the " + length + "-byte " + field);
            }
        }
        return b;
    }

    private static String fourCc(ByteBuffer b, int at) {
        return new String(b.array(), at, 4, StandardCharsets.US_ASCII);
    }

    private static String printable(ByteBuffer b, int at) {
        StringBuilder s = new StringBuilder("'");
        for (int i = at; i < at + 4; i++) {
            int c = b.array()[i] & 0xFF;
            s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append('\'').toString();
    }
}
