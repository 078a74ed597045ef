package io.scanflow.audio;

import java.nio.file.Path;

/**
 * Bad audio input, named the way the rest of ScanFlow names bad records: the file, the byte offset where
 * the problem sits, the field that is wrong, and what was expected.
 */
public final class AudioFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long byteOffset;
    private final String field;
    private final String problem;

    public AudioFormatException(Path file, long byteOffset, String field, String problem) {
        this(file, byteOffset, field, problem, null);
    }

    public AudioFormatException(Path file, long byteOffset, String field, String problem, Throwable cause) {
        super(file + ": byte " + byteOffset + ", field " + field + ": " + problem, cause);
        this.file = String.valueOf(file);
        this.byteOffset = byteOffset;
        this.field = field;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    /** Byte offset in the file where the bad field starts (or where the file ended early). */
    public long byteOffset() {
        return byteOffset;
    }

    /** The header field or chunk at fault, e.g. {@code fmt.bitsPerSample} or {@code data.size}. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
