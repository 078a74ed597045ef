package io.scanflow.jobs.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of every subcommand: {@link ScanflowCommand#newCommandLine()} adds this mixin to each one,
 * so a new subcommand gets {@code --config} and {@code --verbose} without declaring them.
 */
public final class CommonOptions {
    /** The mixin's name in every subcommand. */
    public static final String MIXIN = "common";

    @Option(names = "--config", paramLabel = "FILE.yaml",
            description = "Take option values from a YAML file: keys are long option names without the dashes"
                    + " (parallelism: 2), at the top level or in a section named after the subcommand, plus a"
                    + " 'flink:' section of Flink settings; options on the command line win.")
    Path config;

    @Option(names = "--verbose", description = "Print the stack trace of an error (the log file always has it).")
    boolean verbose;

    /** The common options a parsed subcommand received. */
    static CommonOptions of(CommandLine command) {
        Object mixin = command.getMixins().get(MIXIN);
        return mixin instanceof CommonOptions ? (CommonOptions) mixin : new CommonOptions();
    }

    /** Where the launcher sends this JVM's log ({@code scanflow.log.file}), or null when it is not a file. */
    static String logFile() {
        return System.getProperty("scanflow.log.file");
    }
}
