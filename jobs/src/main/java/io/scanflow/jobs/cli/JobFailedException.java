package io.scanflow.jobs.cli;

/** The Flink job could not start or failed while running (exit code {@link ExitCodes#JOB_FAILED}). */
final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
