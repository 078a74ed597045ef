package io.scanflow.genomics.source;

import htsjdk.samtools.util.BlockCompressedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Finds where reading a damaged BAM can go on. BGZF blocks are compressed independently, so after a
 * corrupt block the next block that inflates (and passes its CRC) can be read; a BAM record may
 * start anywhere in it, so the first offset where a well-formed record begins (checked field by field,
 * and the record after it too) is where reading resumes. The reads that lay in the damaged bytes are
 * lost; everything after them is read.
 */
final class BgzfResync {
    /** The largest BGZF block, compressed or not. */
    private static final int MAX_BLOCK = 65536;
    /** Decompressed bytes examined from a candidate block (a record may run on into the next blocks). */
    private static final int WINDOW = 4 * MAX_BLOCK;
    /** A record larger than this is taken for noise (long reads with qualities stay far below). */
    private static final int MAX_RECORD = 16 << 20;

    private BgzfResync() {
    }

    /**
     * The virtual offset of the first record after {@code afterBlock} (a compressed offset) that can be
     * read, or -1 if no intact block with a record start follows.
     *
     * @param references the number of reference sequences in the header (bounds the reference ids)
     */
    static long next(Path bam, long afterBlock, int references) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(bam.toFile(), "r")) {
            long length = raf.length();
            byte[] header = new byte[18];
            for (long at = afterBlock + 1; at + 18 <= length; at++) {
                raf.seek(at);
                raf.readFully(header);
                if (!isBlockHeader(header)) {
                    continue;
                }
                int blockSize = (header[16] & 0xff | (header[17] & 0xff) << 8) + 1;
                if (at + blockSize > length || !inflates(raf, at, blockSize)) {
                    continue;
                }
                long start = firstRecord(bam, at, references);
                if (start >= 0) {
                    return start;
                }
            }
            return -1;
        }
    }

    /** gzip magic, deflate, FEXTRA, and the BGZF 'BC' subfield with its 2-byte block size. */
    private static boolean isBlockHeader(byte[] h) {
        return (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b && h[2] == 8 && (h[3] & 4) != 0 && h[10] == 6 && h[11] == 0
                && h[12] == 'B' && h[13] == 'C' && h[14] == 2 && h[15] == 0;
    }

    /** Whether the block at {@code at} inflates to its stated size with its stated CRC. */
    private static boolean inflates(RandomAccessFile raf, long at, int blockSize) throws IOException {
        byte[] block = new byte[blockSize];
        raf.seek(at);
        raf.readFully(block);
        ByteBuffer tail = ByteBuffer.wrap(block, blockSize - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
        int crc = tail.getInt();
        int size = tail.getInt();
        if (size < 0 || size > MAX_BLOCK) {
            return false;
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(block, 18, blockSize - 26);
            byte[] out = new byte[size];
            int n = size == 0 ? 0 : inflater.inflate(out);
            if (n != size || (size > 0 && !inflater.finished())) {
                return false;
            }
            CRC32 check = new CRC32();
            check.update(out, 0, n);
            return (int) check.getValue() == crc;
        } catch (DataFormatException e) {
            return false;
        } finally {
            inflater.end();
        }
    }

    /** The virtual offset of the first record start in the block at {@code block}, or -1. */
    private static long firstRecord(Path bam, long block, int references) {
        byte[] data;
        int inBlock;
        try (BlockCompressedInputStream in = new BlockCompressedInputStream(bam.toFile())) {
            in.seek(block << 16);
            inBlock = Math.max(0, in.available());
            data = readUpTo(in, WINDOW);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        for (int u = 0; u < Math.min(inBlock, data.length); u++) {
            int next = recordEnd(data, u, references);
            if (next < 0) {
                continue;
            }
            // The record after it must be well formed too, unless the examined bytes end first.
            if (next + 36 > data.length || recordEnd(data, next, references) != -1) {
                return block << 16 | u;
            }
        }
        return -1;
    }

    /** Up to {@code max} bytes; fewer where the stream ends or the next block is damaged too. */
    private static byte[] readUpTo(InputStream in, int max) {
        byte[] buf = new byte[max];
        int n = 0;
        try {
            for (int r; n < max && (r = in.read(buf, n, max - n)) > 0;) {
                n += r;
            }
        } catch (IOException | RuntimeException e) {
            // keep what was read before the damage
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    /**
     * The offset just past a well-formed BAM record starting at {@code u}, -1 if the bytes there are
     * not one, -2 if it looks right but runs past the examined bytes.
     */
    static int recordEnd(byte[] d, int u, int references) {
        if (u + 36 > d.length) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(d, u, d.length - u).order(ByteOrder.LITTLE_ENDIAN);
        int blockSize = b.getInt(u);
        int refId = b.getInt(u + 4);
        int pos = b.getInt(u + 8);
        int nameLength = d[u + 12] & 0xff;
        int cigarOps = b.getShort(u + 16) & 0xffff;
        int seqLength = b.getInt(u + 20);
        int nextRefId = b.getInt(u + 24);
        int nextPos = b.getInt(u + 28);
        if (refId < -1 || refId >= references || nextRefId < -1 || nextRefId >= references || pos < -1 || nextPos < -1
                || nameLength < 2 || seqLength < 0 || seqLength > MAX_RECORD || blockSize > MAX_RECORD) {
            return -1;
        }
        long minimum = 32L + nameLength + 4L * cigarOps + (seqLength + 1L) / 2 + seqLength;
        if (blockSize < minimum) {
            return -1;
        }
        int name = u + 36;
        if (name + nameLength > d.length) {
            return -2;
        }
        for (int i = 0; i < nameLength - 1; i++) {
            int c = d[name + i] & 0xff;
            if (c < '!' || c > '~' || c == '@') {
                return -1;
            }
        }
        if (d[name + nameLength - 1] != 0) {
            return -1;
        }
        long end = (long) u + 4 + blockSize;
        return end > d.length ? -2 : (int) end;
    }
}
