package io.scanflow.kernels.cuda;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a part of the engine holds on the device (buffers, pinned host memory, kernels' helpers), closed
 * together in reverse order of making. A constructor that fails part-way closes what it made so far.
 */
final class DeviceResources implements AutoCloseable {
    /** A resource whose release throws nothing checked. */
    interface Resource {
        void release();
    }

    private final Deque<Resource> made = new ArrayDeque<>();

    /** Keeps {@code r} to be released by {@link #close}. */
    void add(Resource r) {
        made.push(r);
    }

    /** Allocates {@code count} floats, kept. */
    DeviceBuffer floats(long count, String what) {
        return keep(DeviceBuffer.floats(count, what));
    }

    /** Allocates {@code count} ints, kept. */
    DeviceBuffer ints(long count, String what) {
        return keep(DeviceBuffer.ints(count, what));
    }

    /** Allocates {@code bytes}, kept. */
    DeviceBuffer bytes(long bytes, String what) {
        return keep(DeviceBuffer.allocate(bytes, what));
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        made.push(b::close);
        return b;
    }

    /** Releases everything, newest first; the first failure is thrown after all were tried. */
    @Override
    public void close() {
        RuntimeException first = null;
        while (!made.isEmpty()) {
            try {
                made.pop().release();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
