package io.scanflow.model.weights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one tensor lives: its element type, shape, and byte range in a file.
 *
 * <p>Kept separate from the bytes so that a checkpoint can be listed and checked against a
 * config before anything is read. {@code begin} and {@code end} are absolute byte offsets in
 * {@code file} (the header is already skipped), so the range can be read without knowing the
 * safetensors layout.
 *
 * @param name tensor name as written in the header
 * @param dtype element type in the file
 * @param shape dimensions, outermost first; empty for a scalar
 * @param file the safetensors file holding the data
 * @param begin first byte of the data in {@code file}
 * @param end one past the last byte of the data in {@code file}
 */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, long begin, long end) {

    /** Checks the shape and offsets. */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(file, "file");
        shape = shape.clone();
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad byte range [" + begin + ", " + end + ")");
        }
    }

    /** A copy of the shape; the record stays immutable. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Product of the dimensions (1 for a scalar, 0 if any dimension is 0). */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The shape as {@code [64, 1, 4]}, the form used in every error message. */
    public String shapeString() {
        return shapeString(shape);
    }

    static String shapeString(long[] shape) {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && file.equals(that.file)
                && begin == that.begin
                && end == that.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), file, begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString() + " in " + file + " @[" + begin + ", " + end + ")";
    }
}
