package io.scanflow.jobs.cli;

import io.scanflow.audio.classify.AudioClassifier;
import io.scanflow.audio.classify.AudioInput;
import io.scanflow.audio.classify.LiveClassification;
import io.scanflow.audio.classify.WindowPrediction;
import io.scanflow.audio.io.SampleStream;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.engine.Engines;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.audio.AudioReport;
import io.scanflow.jobs.audio.AudioTruth;
import io.scanflow.jobs.kafka.AudioTopics;
import io.scanflow.jobs.kafka.KafkaTopic;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.loader.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Classifies audio files with a feature-input model and its head, on embedded Flink or a cluster. */
@Command(name = "audio-classify", mixinStandardHelpOptions = true,
        description = "Classify audio files (WAV; other formats through ffmpeg): per-window and per-file predictions.")
final class AudioClassifyCommand implements Callable<Integer> {
    /** The classifier, and how raw PCM on standard input is read. */
    @Mixin
    ClassifierInputOptions audio;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Audio files or folders of audio files (one stream per file); - for standard input"
                    + " (16-bit PCM WAV, or raw 16-bit little-endian PCM with --rate and --channels), classified"
                    + " window by window as it arrives; or one Kafka topic of PCM frames, kafka://BROKERS/TOPIC"
                    + " (docs/operations.md).")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Writes streams.tsv, windows.tsv and errors.tsv here (with --truth also report.md,"
                    + " confusion.png); or kafka://BROKERS/TOPIC: window and error rows to that topic, exactly once.")
    Path out;

    @Option(names = "--truth", paramLabel = "FILE",
            description = "Known labels (tab-separated, header; file in column 1, label in the 'label' column or column 2):"
                    + " also writes report.md (accuracy, per-label table, confusion matrix, wrong streams) and confusion.png.")
    Path truth;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Compute backend (default: ${DEFAULT-VALUE}; the CUDA backend runs token models only, so auto"
                    + " runs a feature-input classifier on the CPU and cuda is refused for one).")
    String engine;

    /** Parallelism, checkpointing, web UI and progress: the options every Flink job subcommand shares. */
    @Mixin
    JobOptions jobOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (LiveStreams.isTopic(out)) {
            return classify();
        }
        try (OutputFolder folder = OutputFolder.open("--out", out)) {
            return classify();
        }
    }

    private int classify() throws Exception {
        if (inputs.size() == 1 && inputs.get(0).toString().equals("-")) {
            return classifyStandardInput();
        }
        for (Path p : inputs) {
            if (!KafkaTopic.isTopic(p) && !Files.exists(p)) {
                throw new IllegalArgumentException("--input " + p + ": no such file or folder");
            }
        }
        SequenceModel m = checkModel(audio.model);
        ClassificationHead head = ClassificationHeads.load(audio.model, m.hiddenSize());
        AudioInput input = AudioInput.load(audio.model);
        if (truth != null) {
            CliFiles.requireFile("--truth", truth);
            AudioTruth.load(truth, head.labels()); // a bad truth file fails before the job runs
        }
        EngineChoice choice = checkEngine(engine, m);
        JobOptions.FlinkEnvironment flink = jobOptions.environment(ConfigFile.flinkSettings(spec));
        StreamExecutionEnvironment env = flink.env();
        if (flink.webUi() != null) {
            System.err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
        }
        AudioClassifyJob.Outputs outputs = AudioClassifyJob.classify(
                LiveStreams.audioRecords(env, inputs, out, input.sampleRate(), audio.badRecords.policy(), spec), audio.model, choice);
        if (LiveStreams.isTopic(out)) {
            AudioTopics.write(outputs, KafkaTopic.parse("--out", out), ConfigFile.kafkaSettings(spec));
            LiveStreams.execute(env, "audio-classify", out, inputs, spec);
            return 0;
        }
        AudioClassifyJob.Result r;
        try {
            r = AudioClassifyJob.collect(outputs);
        } catch (RuntimeException e) {
            throw JobFailures.fromCollect(e);
        }
        return finish(r, head);
    }

    /**
     * The classifier's backbone, with its head and input checked here, so a bad model folder fails before any
     * job starts, with the file and field named.
     */
    static SequenceModel checkModel(Path model) {
        SequenceModel m = ModelLoader.load(model);
        ClassificationHeads.load(model, m.hiddenSize());
        AudioInput input = AudioInput.load(model);
        if (m.inputFeatures() != input.features().width()) {
            throw new IllegalArgumentException(model + ": the backbone takes " + m.inputFeatures()
                    + " features per frame, head.json's input makes " + input.features().width());
        }
        return m;
    }

    /** The {@code --engine} choice; {@code cuda} fails here, not in the job, when CUDA cannot run the model. */
    static EngineChoice checkEngine(String engine, SequenceModel m) {
        EngineChoice choice = DnaClassifyCommand.engine(engine);
        if (choice == EngineChoice.CUDA) {
            Engines.resolve(choice, m, Engines.providers());
        }
        return choice;
    }

    /** Standard input is classified on the CPU, outside Flink. */
    static void refuseCudaForStandardInput(String engine) {
        if (DnaClassifyCommand.engine(engine) == EngineChoice.CUDA) {
            throw new IllegalArgumentException("--engine cuda: the CUDA backend runs token models only; standard input"
                    + " is classified on the CPU (--engine cpu or auto)");
        }
    }

    /** {@code --input -}: one live stream, each window printed as soon as it is classified. */
    private int classifyStandardInput() throws Exception {
        refuseCudaForStandardInput(engine);
        if (truth != null) {
            CliFiles.requireFile("--truth", truth);
        }
        List<WindowPrediction> windows = new ArrayList<>();
        try (AudioClassifier classifier = AudioClassifier.load(audio.model);
             SampleStream in = audio.standardInput(classifier)) {
            System.out.println("stream\twindow\tstart_seconds\tend_seconds\tpredicted\tprobability");
            LiveClassification.run(classifier, in, "stdin", w -> {
                windows.add(w);
                System.out.printf(Locale.ROOT, "%s\t%d\t%.3f\t%.3f\t%s\t%.4f%n", w.stream, w.window, w.startSeconds,
                        w.endSeconds, w.labelName, w.probability);
                System.out.flush();
            });
            return finish(new AudioClassifyJob.Result(windows, List.of()), classifier.head());
        }
    }

    private int finish(AudioClassifyJob.Result r, ClassificationHead head) throws java.io.IOException {
        AudioTruth known = truth == null ? null : AudioTruth.load(truth, head.labels());
        AudioClassifyJob.write(r, head.labels(), out);
        List<AudioClassifyJob.StreamPrediction> streams = AudioClassifyJob.streams(r, head.labels());
        System.out.println("audio-classify: " + streams.size() + " streams, " + r.windows().size() + " windows, "
                + r.errors().size() + " unreadable files -> " + out);
        if (known != null) {
            AudioReport report = new AudioReport(streams, known, head.labels());
            report.write(out, audio.model.toString(), truth.toString(), r.errors().size());
            System.out.printf(Locale.ROOT, "audio-classify: %d of %d streams with a known label right (%.2f%%) -> %s, %s%n",
                    report.correct(), report.scored(), report.scored() == 0 ? Double.NaN : 100.0 * report.correct() / report.scored(),
                    out.resolve("report.md"), out.resolve("confusion.png"));
        }
        return 0;
    }
}
