package io.scanflow.jobs.cli;

import io.scanflow.jobs.kafka.KafkaSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE.yaml}: option values from a YAML file, as defaults for what the command line
 * leaves out. Keys are long option names without the dashes; a key at the top level applies to every
 * subcommand that has the option, a key in a section named after a subcommand to that one only (and
 * wins over the top level). A {@value #FLINK_SECTION} section holds Flink settings for the job.
 *
 * <pre>
 * engine: cpu
 * parallelism: 2
 * checkpoint-interval: 5s
 * stream-generate:
 *   max-new: 64
 *   temperature: 0.8
 * flink:
 *   taskmanager.memory.managed.size: 64m
 * </pre>
 *
 * A {@value #KAFKA_SECTION} section holds Kafka client properties for topics named {@code kafka://...}:
 * {@code consumer} for an input topic, {@code producer} for an output topic ({@link KafkaSettings}).
 *
 * A key that is no option of any subcommand is an error, so a typo does not go unnoticed.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {
    static final String FLINK_SECTION = "flink";
    static final String KAFKA_SECTION = "kafka";

    private final CommandLine root;
    private final Map<Path, Map<String, Object>> files = new HashMap<>();

    ConfigFile(CommandLine root) {
        this.root = root;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.longestName().equals("--config")) {
            return null;
        }
        CommandSpec command = commandOf(option);
        if (command == null) {
            return null;
        }
        Path file = configPath(command);
        if (file == null) {
            return null;
        }
        Map<String, Object> yaml = load(file, command.commandLine());
        String key = option.longestName().replaceFirst("^-+", "");
        Object value = null;
        if (yaml.get(command.name()) instanceof Map<?, ?> section) {
            value = section.get(key);
        }
        if (value == null) {
            value = yaml.get(key);
        }
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            throw new CommandLine.ParameterException(command.commandLine(),
                    file + ": '" + key + "' must be a single value, not a " + (value instanceof Map ? "section" : "list"));
        }
        return String.valueOf(value);
    }

    /** The {@value #FLINK_SECTION} section of the config file {@code command} was given, flattened; empty without one. */
    static Map<String, String> flinkSettings(CommandSpec command) {
        Path file = configPath(command);
        Map<String, String> settings = new LinkedHashMap<>();
        if (file != null && read(file, command.commandLine()).get(FLINK_SECTION) instanceof Map<?, ?> flink) {
            flatten("", flink, settings);
            FlinkSettings.check(settings, file);
        }
        return settings;
    }

    /** The {@value #KAFKA_SECTION} section of the config file {@code command} was given; no properties without one. */
    static KafkaSettings kafkaSettings(CommandSpec command) {
        Path file = configPath(command);
        if (file == null || !(read(file, command.commandLine()).get(KAFKA_SECTION) instanceof Map<?, ?> kafka)) {
            return KafkaSettings.none();
        }
        Map<String, Map<String, String>> clients = new HashMap<>();
        for (Map.Entry<?, ?> e : kafka.entrySet()) {
            String client = String.valueOf(e.getKey());
            if (!client.equals("consumer") && !client.equals("producer") || !(e.getValue() instanceof Map<?, ?> props)) {
                throw new CommandLine.ParameterException(command.commandLine(), file + ": '" + KAFKA_SECTION + "."
                        + client + "': the " + KAFKA_SECTION + " section holds a 'consumer' and a 'producer' section of"
                        + " Kafka client properties");
            }
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", props, flat);
            clients.put(client, flat);
        }
        return new KafkaSettings(clients.getOrDefault("consumer", Map.of()), clients.getOrDefault("producer", Map.of()));
    }

    private static Path configPath(CommandSpec command) {
        OptionSpec config = command.findOption("--config");
        return config == null ? null : config.getValue();
    }

    /** The (sub)command that owns {@code option}: options of mixins name the mixin as their command. */
    private CommandSpec commandOf(OptionSpec option) {
        CommandSpec own = option.command();
        if (own != null && own.findOption("--config") != null && own.options().contains(option)) {
            return own;
        }
        for (CommandLine sub : root.getSubcommands().values()) {
            for (OptionSpec o : sub.getCommandSpec().options()) {
                if (o == option) {
                    return sub.getCommandSpec();
                }
            }
        }
        return null;
    }

    private Map<String, Object> load(Path file, CommandLine command) {
        Map<String, Object> yaml = files.get(file);
        if (yaml == null) {
            yaml = read(file, command);
            check(file, yaml, command);
            files.put(file, yaml);
        }
        return yaml;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file, CommandLine command) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (doc == null) {
                return Map.of();
            }
            if (!(doc instanceof Map)) {
                throw new CommandLine.ParameterException(command, file + ": expected 'option: value' lines, found a "
                        + (doc instanceof List ? "list" : "single value"));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            ((Map<Object, Object>) doc).forEach((k, v) -> m.put(String.valueOf(k), v));
            return m;
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(command, "--config " + file + ": no such file");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(command, "--config " + file + ": " + e.getMessage());
        } catch (YAMLException e) {
            throw new CommandLine.ParameterException(command, file + ": not valid YAML: "
                    + e.getMessage().replace('\n', ' '));
        }
    }

    /** Every key must be an option of some subcommand, a subcommand's section, or the Flink section. */
    private void check(Path file, Map<String, Object> yaml, CommandLine command) {
        Map<String, Set<String>> optionsBySubcommand = new HashMap<>();
        Set<String> anyOption = new HashSet<>();
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            Set<String> names = new HashSet<>();
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                names.add(o.longestName().replaceFirst("^-+", ""));
            }
            optionsBySubcommand.put(e.getKey(), names);
            anyOption.addAll(names);
        }
        for (Map.Entry<String, Object> e : yaml.entrySet()) {
            String key = e.getKey();
            if (key.equals(FLINK_SECTION) || key.equals(KAFKA_SECTION)) {
                if (!(e.getValue() instanceof Map)) {
                    throw new CommandLine.ParameterException(command, file + ": '" + key
                            + "' must be a section of " + (key.equals(FLINK_SECTION) ? "Flink settings" : "Kafka clients"));
                }
            } else if (optionsBySubcommand.containsKey(key)) {
                if (!(e.getValue() instanceof Map<?, ?> section)) {
                    throw new CommandLine.ParameterException(command, file + ": '" + key + "' must be a section of "
                            + key + " options");
                }
                for (Object k : section.keySet()) {
                    if (!optionsBySubcommand.get(key).contains(String.valueOf(k))) {
                        throw new CommandLine.ParameterException(command, file + ": '" + k + "' is not an option of "
                                + key);
                    }
                }
            } else if (!anyOption.contains(key)) {
                throw new CommandLine.ParameterException(command, file + ": '" + key
                        + "' is not an option of any scanflow subcommand");
            }
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else if (e.getValue() instanceof List<?> list) {
                out.put(key, String.join(";", list.stream().map(String::valueOf).toList()));
            } else {
                out.put(key, String.valueOf(e.getValue()));
            }
        }
    }
}
