package io.scanflow.model.head;

import java.nio.file.Path;

/** A classification head that cannot be used; the message names the file and the field. */
public final class HeadFormatException extends RuntimeException {
    public HeadFormatException(Path file, String field, String problem) {
        super(file + ": field '" + field + "': " + problem);
    }

    public HeadFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
