package io.scanflow.jobs.cli;

/** Exit codes of the {@code scanflow} command. */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** Bad input, model, file or setting; one line on stderr names it. Nothing ran on Flink, or it was refused. */
    public static final int FAILED = 1;
    /** Usage error: an unknown option, a missing or malformed value (the usage is printed). */
    public static final int USAGE = 2;
    /** The Flink job failed: it could not start, or failed while running after its restarts; one line gives the cause. */
    public static final int JOB_FAILED = 3;

    private ExitCodes() {}
}
