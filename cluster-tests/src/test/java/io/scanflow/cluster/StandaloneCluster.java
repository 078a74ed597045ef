package io.scanflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * A Flink standalone session cluster made of real processes, started the way Flink's scripts start
 * them, without a {@code flink-dist} folder: a class path of Flink's runtime artifacts from Maven
 * Central ({@code flink-lib.classpath}), a {@code plugins/} folder with Flink's GPU driver, and a
 * {@code conf/} folder with {@code config.yaml} and Log4j settings. JVM flags and memory settings come
 * from {@code BashJavaUtils}, as in {@code jobmanager.sh} and {@code taskmanager.sh}; {@code env.java.opts.all}
 * is added to every JVM, as the scripts do.
 */
final class StandaloneCluster implements AutoCloseable {
    static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String CLI = "org.apache.flink.client.cli.CliFrontend";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    final Path home;
    final Path conf;
    final Path logs;
    final Path plugins;
    final String classPath;
    final int restPort;
    final List<String> javaOptsAll;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private int taskManagers;
    /** Folders put in front of PATH for the cluster's processes (stand-in device tools). */
    private final List<Path> pathPrefix = new ArrayList<>();

    /**
     * Writes the cluster's folders under {@code home}.
     *
     * @param settings config.yaml entries on top of the cluster's own (ports, addresses, memory)
     */
    StandaloneCluster(Path home, Path logs, Path classPathFile, Path pluginsTemplate, Map<String, String> settings)
            throws IOException {
        this.home = Files.createDirectories(home);
        this.conf = Files.createDirectories(home.resolve("conf"));
        this.logs = Files.createDirectories(logs);
        this.plugins = home.resolve("plugins");
        copyTree(pluginsTemplate, plugins);
        this.classPath = Files.readString(classPathFile).strip();
        this.restPort = freePort();
        StringBuilder yaml = new StringBuilder();
        line(yaml, "jobmanager.rpc.address", "localhost");
        line(yaml, "jobmanager.rpc.port", String.valueOf(freePort()));
        line(yaml, "jobmanager.bind-host", "localhost");
        line(yaml, "rest.address", "localhost");
        line(yaml, "rest.bind-address", "localhost");
        line(yaml, "rest.port", String.valueOf(restPort));
        line(yaml, "blob.server.port", String.valueOf(freePort()));
        line(yaml, "taskmanager.host", "localhost");
        line(yaml, "taskmanager.bind-host", "localhost");
        line(yaml, "io.tmp.dirs", Files.createDirectories(home.resolve("tmp")).toString());
        // Small JVMs: the test machine has two cores and runs a JobManager, three TaskManagers and a client.
        line(yaml, "jobmanager.memory.process.size", "700m");
        line(yaml, "jobmanager.memory.jvm-metaspace.size", "160m");
        line(yaml, "taskmanager.memory.process.size", "900m");
        line(yaml, "taskmanager.memory.jvm-metaspace.size", "160m");
        line(yaml, "taskmanager.memory.managed.size", "32m");
        line(yaml, "taskmanager.memory.network.min", "32m");
        line(yaml, "taskmanager.memory.network.max", "32m");
        for (Map.Entry<String, String> e : settings.entrySet()) {
            line(yaml, e.getKey(), e.getValue());
        }
        Files.writeString(conf.resolve("config.yaml"), yaml);
        String javaOpts = settings.getOrDefault("env.java.opts.all", "");
        this.javaOptsAll = javaOpts.isBlank() ? List.of() : Arrays.asList(javaOpts.strip().split("\\s+"));
        // As Flink's conf/log4j.properties and log4j-cli.properties: each process logs to its own file.
        String log4j = String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = false",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.pekko.name = org.apache.pekko",
                "logger.pekko.level = WARN",
                "logger.netty.name = org.apache.flink.shaded.netty4",
                "logger.netty.level = WARN",
                "");
        Files.writeString(conf.resolve("log4j.properties"), log4j);
        Files.writeString(conf.resolve("log4j-cli.properties"), log4j);
    }

    private static void line(StringBuilder yaml, String key, String value) {
        yaml.append(key).append(": ").append(value.isEmpty() ? "''" : value).append('\n');
    }

    /** Starts the JobManager and waits for its REST endpoint. */
    void startJobManager() throws Exception {
        List<String> jvm = new ArrayList<>(resourceParams("GET_JM_RESOURCE_PARAMS", "jobmanager"));
        List<String> dynamic = jvm.subList(1, jvm.size());
        List<String> cmd = java(jvm.get(0), "jobmanager");
        cmd.add(JOB_MANAGER);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(dynamic);
        start(cmd, "jobmanager");
        await(Duration.ofSeconds(90), "the JobManager's REST endpoint", () -> {
            try {
                get("/overview");
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Starts one more TaskManager process and returns it (its pid is how the test kills it). */
    Process startTaskManager() throws Exception {
        List<String> params = resourceParams("GET_TM_RESOURCE_PARAMS", "taskmanager");
        String name = "taskmanager-" + (++taskManagers);
        List<String> cmd = java(params.get(0), name);
        cmd.add(TASK_MANAGER);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(params.subList(1, params.size()));
        return start(cmd, name);
    }

    /** Runs Flink's command line client; its output goes to {@code <name>.out} in the log folder. */
    Process client(String name, String... args) throws IOException {
        List<String> cmd = java("-Xmx256m", name);
        cmd.add(CLI);
        cmd.addAll(List.of(args));
        return start(cmd, name);
    }

    /**
     * BashJavaUtils' answer for {@code command}: element 0 the JVM flags (one string), then the dynamic
     * settings ({@code -D key=value} pairs) to pass to the entrypoint.
     */
    private List<String> resourceParams(String command, String role) throws Exception {
        List<String> cmd = java("-Xmx128m", role + "-resources");
        cmd.add(BASH_JAVA_UTILS);
        cmd.add(command);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " failed:\n" + out);
        }
        List<String> results = out.lines().filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()).strip()).toList();
        if (results.size() < 2) {
            throw new IllegalStateException(command + ": unexpected output:\n" + out);
        }
        List<String> params = new ArrayList<>();
        params.add(results.get(results.size() - 2));
        params.addAll(Arrays.asList(results.get(results.size() - 1).split("\\s+")));
        return params;
    }

    private List<String> java(String jvmFlags, String logName) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(jvmFlags.strip().split("\\s+")));
        cmd.addAll(javaOptsAll);
        cmd.add("-Dlog.file=" + logs.resolve(logName + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve(logName.startsWith("client") ? "log4j-cli.properties"
                : "log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classPath);
        return cmd;
    }

    private Process start(List<String> cmd, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectOutput(logs.resolve(name + ".out").toFile())
                .redirectError(logs.resolve(name + ".err").toFile());
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        pb.environment().put("FLINK_PLUGINS_DIR", plugins.toString());
        if (!pathPrefix.isEmpty()) {
            StringBuilder path = new StringBuilder();
            pathPrefix.forEach(dir -> path.append(dir).append(java.io.File.pathSeparatorChar));
            pb.environment().put("PATH", path + pb.environment().getOrDefault("PATH", ""));
        }
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** A REST answer of the JobManager as JSON. */
    /** The failovers the job has recorded: the entries of its exception history. */
    int failovers(String jobId) throws IOException {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return json.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    int registeredTaskManagers() {
        try {
            return get("/taskmanagers").path("taskmanagers").size();
        } catch (IOException e) {
            return -1;
        }
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Ends every process this cluster started, each by its own handle. */
    @Override
    public void close() {
        List<Process> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * Unpacks the GPU plugin's discovery scripts next to its jar, where a Flink distribution keeps them
     * ({@code plugins/external-resource-gpu/nvidia-gpu-discovery.sh}), and returns that folder.
     */
    /** Processes started from now on find the programs of {@code dir} before those on the PATH. */
    void prependToPath(Path dir) {
        pathPrefix.add(dir);
    }

    Path gpuPluginScripts() throws IOException {
        Path dir = plugins.resolve("external-resource-gpu");
        try (var jars = Files.list(dir)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (JarFile j = new JarFile(jar.toFile())) {
                    for (String script : List.of("nvidia-gpu-discovery.sh", "gpu-discovery-common.sh")) {
                        ZipEntry e = j.getEntry(script);
                        if (e != null) {
                            try (InputStream in = j.getInputStream(e)) {
                                Path target = dir.resolve(script);
                                Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }
}
