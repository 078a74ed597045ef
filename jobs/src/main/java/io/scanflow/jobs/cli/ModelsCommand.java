package io.scanflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.config.ModelConfigLoader;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.weights.Checkpoint;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Lists the model folders ScanFlow ships: for each, its task, architecture, parameters, size on disk and
 * accuracy. Task and accuracy come from the files a trained model carries ({@link #card}), or from a
 * {@value #CARD} ({@code {"task": ..., "accuracy": ...}}); the rest is read from the checkpoint.
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
            ModelConfig c = config(dir);
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
            String[] card = card(dir, fixture);
            String task = card[0];
            String accuracy = card[1];
            String input = c.inputFeatures() > 0 ? c.inputFeatures() + " features in" : "vocab " + c.vocabSize();
            String architecture = c.architecture() + " " + c.numLayers() + "x" + c.hiddenSize() + ", " + input;
            return new String[] {name, task, architecture, humanCount(parameters), humanBytes(bytes), accuracy};
        } catch (RuntimeException e) {
            return new String[] {name, "unreadable: " + Errors.message(e), "", "", "", ""};
        }
    }

    /** The folder's config, Mamba or Transformer-PSM, without loading the weights. */
    private static ModelConfig config(Path dir) throws IOException {
        JsonNode raw = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        return TransformerPsmConfig.MODEL_TYPE.equals(raw.path("model_type").asText())
                ? TransformerPsmConfig.load(dir) : ModelConfigLoader.load(dir);
    }

    /**
     * Task and accuracy of a model folder, from the first of: {@value #CARD}; the files the shipped
     * models carry (a classification head's {@code head.json}, an audio model's {@code audio.json},
     * {@code metrics.json}, a PSM's {@code training-results.json}); for the test fixtures, what their
     * tests hold them to.
     */
    static String[] card(Path dir, boolean fixture) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String task = fixture ? "next token (test fixture)" : "next token";
        String accuracy = fixture ? "HF parity, logits <= 1e-4" : "-";
        JsonNode head = read(json, dir.resolve("head.json"));
        JsonNode audio = read(json, dir.resolve("audio.json"));
        JsonNode config = read(json, dir.resolve("config.json"));
        JsonNode metrics = read(json, dir.resolve("metrics.json"));
        JsonNode training = read(json, dir.resolve("training-results.json"));
        if (head != null && head.hasNonNull("task")) {
            task = head.get("task").asText() + " (" + head.path("labels").size() + " classes)";
        } else if (audio != null && audio.hasNonNull("task")) {
            task = "audio " + audio.get("task").asText() + " (" + audio.path("encoding").asText("?") + ", "
                    + audio.path("sample_rate").asInt() / 1000 + " kHz)";
        } else if (config != null && config.hasNonNull("task")) {
            task = config.get("task").asText() + " (" + config.path("model_type").asText() + ")";
        }
        if (metrics != null) {
            if (metrics.has("java_scored")) {
                accuracy = heldOut(metrics.get("java_scored"));
            } else if (metrics.has("test_accuracy")) {
                accuracy = percent(metrics.get("test_accuracy")) + " on " + metrics.path("test_clips").asInt() + " test clips";
            } else if (metrics.has("read_accuracy")) {
                accuracy = percent(metrics.get("read_accuracy")) + " of " + metrics.path("reads").asInt() + " reads"
                        + (metrics.has("sample_accuracy_ge50") ? ", " + percent(metrics.get("sample_accuracy_ge50"))
                        + " of samples" : "");
            } else if (metrics.has("test_nll_bits_per_sample")) {
                accuracy = String.format("test NLL %.2f bits/sample (unigram %.2f)",
                        metrics.get("test_nll_bits_per_sample").asDouble(), metrics.path("unigram_bits_per_sample").asDouble());
            }
        } else if (training != null && config != null) {
            JsonNode attempts = training.path("attempts");
            String type = config.path("model_type").asText();
            int length = config.path("trained_length").asInt();
            JsonNode acc = attempts.size() == 0 ? null
                    : attempts.get(attempts.size() - 1).path("models").path(type).path("accuracy").path(String.valueOf(length));
            if (acc != null && acc.has("acc")) {
                accuracy = percent(acc.get("acc")) + " at length " + length;
            }
        }
        JsonNode own = read(json, dir.resolve(CARD));
        if (own != null) {
            task = own.path("task").asText(task);
            accuracy = own.path("accuracy").asText(accuracy);
        }
        return new String[] {task, accuracy};
    }

    /**
     * The first set of a model's {@code java_scored} block (figures on committed held-out clips that tests
     * recompute): a generator's bits per sample and unigram, or a classifier's share right over all groups
     * with its clean group's.
     */
    private static String heldOut(JsonNode scored) {
        String set = scored.fieldNames().next();
        JsonNode first = scored.get(set);
        String name = set.substring(set.lastIndexOf("testdata/") + "testdata/".length());
        if (first.has("bits_per_sample")) {
            return String.format(Locale.ROOT, "%.2f bits/sample (unigram %.2f) on %d clips of %s",
                    first.get("bits_per_sample").asDouble(), first.path("own_unigram_bits_per_sample").asDouble(),
                    first.path("clips").asInt(), name);
        }
        int correct = 0;
        int clips = 0;
        for (JsonNode group : first) {
            correct += group.path("correct").asInt();
            clips += group.path("clips").asInt();
        }
        JsonNode clean = first.get("clean");
        return String.format(Locale.ROOT, "%.1f%% of %d clips of %s%s", 100.0 * correct / clips, clips, name,
                clean == null ? "" : String.format(Locale.ROOT, " (clean %.1f%%)",
                        100.0 * clean.path("correct").asInt() / clean.path("clips").asInt()));
    }

    private static JsonNode read(ObjectMapper json, Path file) throws IOException {
        return Files.isRegularFile(file) ? json.readTree(file.toFile()) : null;
    }

    private static String percent(JsonNode fraction) {
        return String.format("%.1f%%", 100 * fraction.asDouble());
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
