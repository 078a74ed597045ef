package io.scanflow.jobs.cli;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;

/**
 * Checks the config file's {@code flink:} section against the options Flink declares: a key no
 * option has (a typo) and a value its option cannot parse ({@code banana} as a memory size) are
 * errors, where Flink would ignore the first and fail the second only deep inside the job. The options
 * are the {@code ConfigOption} constants of the {@code *Options} classes in Flink's jars on the class
 * path; keys under the prefixes of plug-ins and per-name settings (reporters, external resources,
 * file systems) are let through, as their options live in jars a cluster may add.
 */
final class FlinkSettings {
    /** A class from each jar whose options classes are read (the optional ones may be absent). */
    private static final List<String> JARS = List.of(CoreOptions.class.getName(),
            "org.apache.flink.runtime.jobgraph.JobGraph", "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
            "org.apache.flink.client.deployment.executors.LocalExecutor", "org.apache.flink.state.rocksdb.RocksDBOptions",
            "org.apache.flink.connector.file.src.FileSourceOptions", "org.apache.flink.runtime.webmonitor.WebMonitorExtension");
    private static final List<String> OPEN_PREFIXES = List.of("external-resource.", "metrics.reporter.", "env.",
            "containerized.", "kubernetes.", "yarn.", "s3.", "s3a.", "gs.", "fs.", "azure.", "hadoop.", "security.",
            "table.", "sql-client.", "state.backend.rocksdb.", "state.backend.forst.", "plugin.");

    private static Map<String, ConfigOption<?>> options;

    private FlinkSettings() {}

    /** Fails on the first unknown key or unparsable value; {@code file} names the config file in the message. */
    static void check(Map<String, String> settings, Path file) {
        Map<String, ConfigOption<?>> known = options();
        Configuration conf = Configuration.fromMap(settings);
        for (String key : settings.keySet()) {
            ConfigOption<?> option = known.get(key);
            if (option == null) {
                if (OPEN_PREFIXES.stream().noneMatch(key::startsWith)) {
                    throw new IllegalArgumentException(file + ": flink: '" + key + "' is not a Flink setting" + similar(key, known));
                }
                continue;
            }
            try {
                conf.get(option);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(file + ": flink: '" + key + "': '" + settings.get(key)
                        + "' is not a valid " + option.key() + " (" + Errors.rootMessage(e) + ")");
            }
        }
    }

    /** Up to three keys within a few edits of {@code key}: the setting meant, for a typo. */
    private static String similar(String key, Map<String, ConfigOption<?>> known) {
        String near = known.keySet().stream().filter(k -> distance(k, key) <= 3)
                .sorted(java.util.Comparator.comparingInt((String k) -> distance(k, key)).thenComparing(k -> k)).limit(3)
                .reduce((a, b) -> a + ", " + b).orElse("");
        return near.isEmpty() ? "" : " (did you mean " + near + "?)";
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3) {
            return 4;
        }
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int up = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = up;
            }
        }
        return row[b.length()];
    }

    private static synchronized Map<String, ConfigOption<?>> options() {
        if (options == null) {
            Map<String, ConfigOption<?>> all = new HashMap<>();
            for (String anchor : JARS) {
                try {
                    collect(Class.forName(anchor, false, FlinkSettings.class.getClassLoader()), all);
                } catch (ClassNotFoundException | LinkageError absent) {
                    // an optional jar that is not on the class path
                }
            }
            options = all;
        }
        return options;
    }

    /** The options of every {@code *Options} class in the jar (or classes folder) of {@code anchor}. */
    private static void collect(Class<?> anchor, Map<String, ConfigOption<?>> into) {
        Path where;
        try {
            where = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return;
        }
        if (!where.toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(where.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (name.endsWith("Options.class") && !name.contains("$")) {
                    addOptions(name.substring(0, name.length() - 6).replace('/', '.'), into);
                }
            }
        } catch (IOException e) {
            // unreadable jar: its options are not checked
        }
    }

    private static void addOptions(String className, Map<String, ConfigOption<?>> into) {
        try {
            Class<?> c = Class.forName(className, true, FlinkSettings.class.getClassLoader());
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                    into.put(option.key(), option);
                    for (FallbackKey k : option.fallbackKeys()) {
                        into.put(k.getKey(), option);
                    }
                }
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // a class that cannot be loaded here declares nothing we can check
        }
    }
}
