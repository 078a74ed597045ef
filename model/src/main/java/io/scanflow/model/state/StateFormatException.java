package io.scanflow.model.state;

/** State bytes that cannot be loaded into this model: wrong magic, version, model or size. */
public final class StateFormatException extends RuntimeException {
    /** State bytes that do not decode, with what is wrong. */
    public StateFormatException(String message) {
        super(message);
    }
}
