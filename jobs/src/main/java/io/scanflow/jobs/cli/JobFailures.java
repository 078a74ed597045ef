package io.scanflow.jobs.cli;

import io.scanflow.flink.BadRecordException;
import io.scanflow.model.io.BadInputException;
import org.apache.flink.runtime.client.JobExecutionException;

/**
 * What a failed Flink job means to the user: a bad record under {@code --bad-records fail} is the
 * input's fault (exit 1, the record's own one-line description naming file, record and field); any
 * other failure is the job's (exit 3, its root cause). Flink wraps both in several layers
 * ("Failed to fetch next result", "Job execution failed"), none of which says anything.
 */
final class JobFailures {
    private JobFailures() {}

    /**
     * A failure out of a job's result iterator ({@code executeAndCollect}): the job's failure as
     * {@link #of}; anything else (not from the job) as it is.
     */
    static RuntimeException fromCollect(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JobExecutionException) {
                return of(e);
            }
        }
        return e;
    }

    static RuntimeException of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadInputException || t instanceof BadRecordException) {
                return new IllegalArgumentException(t.getMessage(), failure);
            }
        }
        return new JobFailedException("job failed: " + Errors.rootMessage(failure), failure);
    }
}
