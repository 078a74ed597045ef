package io.scanflow.jobs.cli;

/**
 * The main class of the job jar, for Flink's client: {@code flink run scanflow-jobs-VERSION-job.jar
 * stream-generate --model ... }. It runs the same command line as {@code scanflow} but never calls
 * {@code System.exit}: the client (or a JobManager running the jar from its web UI) must live on. A
 * failure is thrown with the command's exit code and one-line message.
 */
public final class ScanflowJob {
    private ScanflowJob() {}

    public static void main(String[] args) {
        int code = ScanflowCommand.run(args);
        if (code != ExitCodes.OK) {
            throw new IllegalStateException("scanflow " + (args.length > 0 ? args[0] : "")
                    + " ended with exit code " + code + " (the message above says why)");
        }
    }
}
