package io.scanflow.jobs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the machine and the formats can hold, checked against option values before any work starts,
 * so {@code --max-new 2147483647} is one line naming the limit, not a negative array size or an
 * {@code OutOfMemoryError} after a minute.
 */
final class Limits {
    /** The most elements one Java array holds. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** The share of the heap a command's own buffers may take; the model and Flink need the rest. */
    private static final double HEAP_SHARE = 0.75;

    private Limits() {}

    /** {@code elements} must fit one Java array (a sequence, a row of output). */
    static void array(String what, long elements) {
        if (elements > MAX_ARRAY || elements < 0) {
            throw new IllegalArgumentException(what + " would be " + elements + " elements, more than one array holds ("
                    + MAX_ARRAY + ")");
        }
    }

    /** {@code bytes} of buffers must fit the heap's share. */
    static void heap(String what, double bytes) {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > HEAP_SHARE * max) {
            throw new IllegalArgumentException(what + " needs " + size(bytes) + " of memory, more than "
                    + Math.round(HEAP_SHARE * 100) + "% of this JVM's " + size(max)
                    + " heap (raise it with SCANFLOW_JAVA_OPTS=-Xmx...)");
        }
    }

    /** {@code bytes} will be written into {@code dir} (or the nearest folder above it that exists). */
    static void disk(String what, Path dir, double bytes) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        try {
            long free = Files.getFileStore(existing).getUsableSpace();
            if (bytes > free) {
                throw new IllegalArgumentException(what + " needs " + size(bytes) + " on disk, " + size(free) + " are free in "
                        + existing);
            }
        } catch (IOException e) {
            // the free space is unknown: writing reports a full disk itself
        }
    }

    static String size(double bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f bytes", bytes) : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
    }
}
