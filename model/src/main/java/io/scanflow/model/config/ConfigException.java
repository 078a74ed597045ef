package io.scanflow.model.config;

import java.nio.file.Path;

/** A config.json that cannot describe a supported model; the message names the file and the field. */
public final class ConfigException extends RuntimeException {
    /** A bad {@code field} in {@code file}. */
    public ConfigException(Path file, String field, String problem) {
        super(file + ": field '" + field + "': " + problem);
    }

    /** A config file that cannot be read or parsed. */
    public ConfigException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
