package io.scanflow.jobs.corpus;

import io.scanflow.jobs.cli.ScanflowCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code scanflow} command line in this JVM and keeps what it printed. */
public final class Cli {
    public record Run(int code, String out, String err) {}

    private Cli() {}

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = ScanflowCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
