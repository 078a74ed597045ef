package io.scanflow.model.weights;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One open safetensors file: its validated header and the channel its tensors are mapped from.
 *
 * <p>Tensors are memory-mapped range by range, in windows of at most {@code windowBytes}, so
 * neither the file nor a tensor has to fit in one 2 GiB mapping and nothing is copied through
 * the heap except the final {@code float[]}.
 */
final class SafetensorsFile implements AutoCloseable {

    static final long DEFAULT_WINDOW_BYTES = 1L << 30;

    final Path path;
    final SafetensorsHeader header;
    private final FileChannel channel;
    private final long windowBytes;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, long windowBytes) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.windowBytes = windowBytes;
    }

    static SafetensorsFile open(Path path) {
        return open(path, DEFAULT_WINDOW_BYTES);
    }

    /** Opens and validates {@code path}; {@code windowBytes} bounds each mapping (small in tests). */
    static SafetensorsFile open(Path path, long windowBytes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open " + path + ": " + e, e);
        }
        try {
            return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel), windowBytes);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException("cannot read the header of " + path + ": " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Reads a tensor of this file into a new float array. */
    float[] readFloats(TensorInfo tensor) {
        long count = tensor.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointException("tensor " + tensor.name() + " in " + path + ": expected at most "
                    + (Integer.MAX_VALUE - 8) + " elements to load as float[], found " + count + " (shape "
                    + tensor.shapeString() + ")");
        }
        float[] out = new float[(int) count];
        int elementSize = tensor.dtype().byteSize();
        long perWindow = Math.max(1, windowBytes / elementSize);
        try {
            if (tensor.end() > channel.size()) {
                throw new CheckpointException("tensor " + tensor.name() + " in " + path + ": expected the file to"
                        + " reach byte " + tensor.end() + ", found " + channel.size()
                        + " bytes (the file changed after it was opened)");
            }
            long position = tensor.begin();
            for (int done = 0; done < count;) {
                int n = (int) Math.min(perWindow, count - done);
                MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, position, (long) n * elementSize);
                TensorDecoder.decode(tensor.dtype(), window, out, done, n);
                position += (long) n * elementSize;
                done += n;
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot read tensor " + tensor.name() + " from " + path + ": " + e, e);
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only: nothing can be lost
        }
    }
}
