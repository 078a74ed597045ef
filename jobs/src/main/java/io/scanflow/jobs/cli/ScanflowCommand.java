package io.scanflow.jobs.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code scanflow} command: one entry point, one subcommand per job or tool. Every subcommand gets
 * {@link CommonOptions} ({@code --config}, {@code --verbose}); Flink jobs use the {@link ModelOptions},
 * {@link JobOptions} and {@link OperatorOptions} mixins. Exit codes: {@link ExitCodes}.
 */
@Command(
        name = "scanflow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run state-space and prefix-scannable sequence models, locally or in Flink.",
        footer = {"", "Exit codes: 0 done, 1 bad input or setting (one line on stderr), 2 usage error,"
                + " 3 the Flink job failed.", "Local runs log to the file the launcher names (~/.scanflow/logs/scanflow.log)."},
        subcommands = {
                // One line per subcommand, in the order `scanflow --help` lists them.
                DnaClassifyCommand.class,
                AudioClassifyCommand.class,
                AudioDetectCommand.class,
                AudioGenerateCommand.class,
                AudioScoreCommand.class,
                InspectCommand.class,
                ModelsCommand.class,
                LogitsCommand.class,
                GenerateCommand.class,
                StreamClassifyCommand.class,
                StreamGenerateCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class ScanflowCommand implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanflowCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        loadFileSystemPlugins();
        System.exit(run(args));
    }

    /**
     * File systems from Flink's plugins folder ({@code $FLINK_PLUGINS_DIR}, else {@code ./plugins}) with the
     * settings of {@code $FLINK_CONF_DIR}'s config.yaml (credentials, endpoints), as {@code flink run} loads
     * them before it calls {@link ScanflowJob}: --model, --input and --out may then name s3://, gs:// or
     * hdfs:// locations on the embedded launcher too.
     */
    private static void loadFileSystemPlugins() {
        String confDir = System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR);
        Configuration conf = confDir != null ? GlobalConfiguration.loadConfiguration(confDir) : new Configuration();
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    /** Runs the command line; an {@link Error} (a broken installation, out of memory) is one line too, exit 1. */
    static int run(String... args) {
        CommandLine cli = newCommandLine();
        try {
            return cli.execute(args);
        } catch (Error e) {
            LOG.error("scanflow failed", e);
            System.err.println("scanflow: " + e + (Arrays.asList(args).contains("--verbose") ? ""
                    : " (--verbose prints the stack trace)"));
            if (Arrays.asList(args).contains("--verbose")) {
                e.printStackTrace();
            }
            return ExitCodes.FAILED;
        }
    }

    /**
     * The configured command line: common options on every subcommand, option values from
     * {@code --config}, enum values in any case; a failure prints one line (with the stack trace under
     * {@code --verbose}, always in the log) and exits 1, or 3 when the Flink job failed; usage errors exit 2.
     */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new ScanflowCommand());
        Set<CommandLine> subcommands = Collections.newSetFromMap(new IdentityHashMap<>());
        subcommands.addAll(cli.getSubcommands().values());
        for (CommandLine sub : subcommands) {
            if (!(sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)
                    && sub.getCommandSpec().findOption("--config") == null
                    && sub.getCommandSpec().findOption("--verbose") == null) {
                sub.addMixin(CommonOptions.MIXIN, new CommonOptions());
            }
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setDefaultValueProvider(new ConfigFile(cli));
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String name = "scanflow " + commandLine.getCommandName();
            PrintWriter err = commandLine.getErr();
            if (ex instanceof UsageError) {
                err.println(name + ": " + ex.getMessage() + " (see " + name + " --help)");
                err.flush();
                return ExitCodes.USAGE;
            }
            LOG.error("{} failed", name, ex);
            boolean jobFailed = ex instanceof JobFailedException;
            String log = CommonOptions.logFile();
            err.println(name + ": " + Errors.message(ex) + (jobFailed && log != null ? " (log: " + log + ")" : ""));
            if (CommonOptions.of(commandLine).verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return jobFailed ? ExitCodes.JOB_FAILED : ExitCodes.FAILED;
        });
        return cli;
    }
}
