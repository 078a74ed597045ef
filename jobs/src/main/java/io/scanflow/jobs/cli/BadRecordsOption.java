package io.scanflow.jobs.cli;

import io.scanflow.model.io.BadRecordPolicy;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --bad-records}: what the commands that read files do with input they cannot read. */
final class BadRecordsOption {
    @Option(names = "--bad-records", defaultValue = "side-output", paramLabel = "fail|side-output|skip",
            description = "Unreadable input: fail the job naming it, report it (bad-input.tsv, errors.tsv) and go on,"
                    + " or drop it, counted in the source's badRecords metric (default: ${DEFAULT-VALUE}).")
    String value;

    /** The sources' policy (a usage error for another value). */
    BadRecordPolicy policy() {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "fail":
                return BadRecordPolicy.FAIL;
            case "side-output":
                return BadRecordPolicy.SIDE_OUTPUT;
            case "skip":
                return BadRecordPolicy.SKIP;
            default:
                throw new UsageError("--bad-records must be fail, side-output or skip, found '" + value + "'");
        }
    }
}
