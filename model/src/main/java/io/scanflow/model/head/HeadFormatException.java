package io.scanflow.model.head;

import java.nio.file.Path;

/** A classification head that cannot be used; the message names the file and the field. */
public final class HeadFormatException extends RuntimeException {
    /** A bad {@code field} in head file {@code file}. */
    public HeadFormatException(Path file, String field, String problem) {
        super(file + ": field '" + field + "': " + problem);
    }

    /** A head file that cannot be read or parsed. */
    public HeadFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
