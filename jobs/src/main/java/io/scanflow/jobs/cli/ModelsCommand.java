package io.scanflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.config.ModelConfigLoader;
import io.scanflow.model.weights.Checkpoint;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Lists the model folders ScanFlow ships: for each, its task, architecture, parameters, size on disk and
 * accuracy. Task and accuracy come from the folder's {@value #CARD} ({@code {"task": ..., "accuracy": ...,
 * "description": ...}}), written by whoever trained the model; the rest is read from the checkpoint.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the shipped models: task, architecture, parameters, size and accuracy.",
                "Searches the folders given with --dir, else those in SCANFLOW_MODELS (separated like PATH),"
                        + " else models/ and testdata/models/ of the ScanFlow checkout."})
final class ModelsCommand implements Callable<Integer> {
    static final String CARD = "scanflow-model.json";

    @Option(names = "--dir", paramLabel = "DIR", description = "A folder of model folders (repeatable).")
    List<Path> dirs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> roots = roots();
        boolean any = false;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                if (dirs != null) {
                    throw new IllegalArgumentException("--dir " + root + ": no such folder");
                }
                continue;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"model", "task", "architecture", "parameters", "size", "accuracy"});
            boolean fixtures = root.toAbsolutePath().normalize().endsWith(Path.of("testdata", "models"));
            try (Stream<Path> children = Files.list(root)) {
                for (Path dir : children.sorted().toList()) {
                    if (Files.isRegularFile(dir.resolve("config.json"))) {
                        rows.add(describe(dir, fixtures));
                    }
                }
            }
            if (rows.size() == 1) {
                continue;
            }
            any = true;
            out.println(root + (fixtures ? " (test fixtures: tiny models with random weights)" : ""));
            table(out, rows);
            out.println();
        }
        if (!any) {
            out.println("no models found in " + roots);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private List<Path> roots() {
        if (dirs != null && !dirs.isEmpty()) {
            return dirs;
        }
        String env = System.getenv("SCANFLOW_MODELS");
        List<Path> roots = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            for (String p : env.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    roots.add(Path.of(p));
                }
            }
            return roots;
        }
        Path home = Path.of(System.getProperty("scanflow.home", "."));
        roots.add(home.resolve("models"));
        roots.add(home.resolve("testdata").resolve("models"));
        return roots;
    }

    private static String[] describe(Path dir, boolean fixture) throws IOException {
        String name = dir.getFileName().toString();
        try {
            ModelConfig c = ModelConfigLoader.load(dir);
            long parameters = 0;
            try (Checkpoint checkpoint = Checkpoint.open(dir)) {
                for (String tensor : checkpoint.names()) {
                    parameters += checkpoint.info(tensor).elementCount();
                }
            }
            long bytes = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList()) {
                    bytes += Files.size(f);
                }
            }
            String task = fixture ? "next token (test fixture)" : "next token";
            String accuracy = fixture ? "HF parity, logits <= 1e-4" : "-";
            Path card = dir.resolve(CARD);
            if (Files.isRegularFile(card)) {
                JsonNode json = new ObjectMapper().readTree(card.toFile());
                task = json.path("task").asText(task);
                accuracy = json.path("accuracy").asText(accuracy);
            }
            String architecture = c.architecture() + " " + c.numLayers() + "x" + c.hiddenSize() + ", vocab " + c.vocabSize();
            return new String[] {name, task, architecture, humanCount(parameters), humanBytes(bytes), accuracy};
        } catch (RuntimeException e) {
            return new String[] {name, "unreadable: " + Errors.message(e), "", "", "", ""};
        }
    }

    private static void table(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder(" ");
            for (int i = 0; i < r.length; i++) {
                sb.append(' ').append(String.format("%-" + width[i] + "s", r[i])).append(i + 1 < r.length ? " " : "");
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String humanCount(long n) {
        return n >= 1_000_000_000 ? String.format("%.1fB", n / 1e9) : n >= 1_000_000 ? String.format("%.1fM", n / 1e6)
                : n >= 1_000 ? String.format("%.1fk", n / 1e3) : String.valueOf(n);
    }

    private static String humanBytes(long n) {
        return n >= 1L << 30 ? String.format("%.1f GiB", n / (double) (1L << 30)) : n >= 1L << 20
                ? String.format("%.1f MiB", n / (double) (1L << 20)) : String.format("%.1f KiB", n / 1024.0);
    }
}
