package io.scanflow.jobs.cli;

/** Options that parse but do not go together: a usage error (exit code {@link ExitCodes#USAGE}). */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }
}
