package io.scanflow.model.weights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The floating-point element types this reader can turn into {@code float[]}.
 *
 * <p>Integer and 8-bit float dtypes exist in the safetensors format but never hold Mamba
 * weights, so they are rejected up front with a message that lists what is supported rather
 * than being misread later.
 */
public enum DType {
    /** IEEE float64. */
    F64(8),
    /** IEEE float32. */
    F32(4),
    /** IEEE float16. */
    F16(2),
    /** bfloat16. */
    BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Maps a safetensors dtype name (e.g. {@code "BF16"}) to a supported type.
     *
     * @param safetensorsName the {@code dtype} string from the header
     * @param file the file the header came from, for the error message
     * @param tensor the tensor the dtype belongs to, for the error message (may be null)
     * @throws CheckpointException if the dtype is not one of the supported ones
     */
    public static DType parse(String safetensorsName, Path file, String tensor) {
        for (DType type : values()) {
            if (type.name().equals(safetensorsName)) {
                return type;
            }
        }
        String where = tensor == null ? "" + file : "tensor " + tensor + " in " + file;
        throw new CheckpointException(where + ": unsupported dtype \"" + safetensorsName
                + "\"; expected one of " + supportedNames());
    }

    static String supportedNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
