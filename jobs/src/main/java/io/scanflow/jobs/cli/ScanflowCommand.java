package io.scanflow.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code scanflow} command: one entry point, one subcommand per job or tool. */
@Command(
        name = "scanflow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run state-space and prefix-scannable sequence models, locally or in Flink.",
        subcommands = {DnaClassifyCommand.class, AudioClassifyCommand.class, AudioGenerateCommand.class,
            InspectCommand.class, LogitsCommand.class, GenerateCommand.class, CommandLine.HelpCommand.class})
public final class ScanflowCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line: usage errors exit 2, failures print one line and exit 1. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new ScanflowCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("scanflow " + commandLine.getCommandName() + ": " + ex.getMessage());
            if (Boolean.getBoolean("scanflow.verbose")) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }
}
