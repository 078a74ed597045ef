package io.scanflow.model.weights;

/**
 * A checkpoint could not be opened or does not match what the model expects.
 *
 * <p>Unchecked because a bad checkpoint is a configuration error the caller cannot work around
 * at the call site; what matters is that the message is precise enough to fix the files. Every
 * message names the file (or checkpoint directory) and, where one is involved, the tensor, and
 * says what was expected and what was found.
 */
public final class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A bad checkpoint, with what is wrong. */
    public CheckpointException(String message) {
        super(message);
    }

    /** A checkpoint that cannot be read. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
