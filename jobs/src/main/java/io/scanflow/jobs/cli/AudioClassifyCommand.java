package io.scanflow.jobs.cli;

import io.scanflow.audio.classify.AudioInput;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.engine.Engines;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.kafka.AudioTopics;
import io.scanflow.jobs.kafka.KafkaTopic;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.head.ClassificationHead;
import io.scanflow.model.head.ClassificationHeads;
import io.scanflow.model.loader.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Classifier folder: config.json, model.safetensors, head.json (with \"input\"), head.safetensors.")
    Path model;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Audio files or folders of audio files (one stream per file), or one Kafka topic of PCM frames,"
                    + " kafka://BROKERS/TOPIC (docs/operations.md).")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Writes streams.tsv, windows.tsv and errors.tsv here; or kafka://BROKERS/TOPIC: window and error"
                    + " rows to that topic, exactly once.")
    Path out;

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
        for (Path p : inputs) {
            if (!KafkaTopic.isTopic(p) && !Files.exists(p)) {
                throw new IllegalArgumentException("--input " + p + ": no such file or folder");
            }
        }
        // Checked here, so a bad model folder fails before any job starts, with the file and field named.
        SequenceModel m = ModelLoader.load(model);
        ClassificationHead head = ClassificationHeads.load(model, m.hiddenSize());
        AudioInput input = AudioInput.load(model);
        if (m.inputFeatures() != input.features().width()) {
            throw new IllegalArgumentException(model + ": the backbone takes " + m.inputFeatures()
                    + " features per frame, head.json's input makes " + input.features().width());
        }
        EngineChoice choice = DnaClassifyCommand.engine(engine);
        if (choice == EngineChoice.CUDA) {
            Engines.resolve(choice, m, Engines.providers()); // fails here, not in the job, when CUDA cannot run it
        }
        JobOptions.FlinkEnvironment flink = jobOptions.environment(ConfigFile.flinkSettings(spec));
        StreamExecutionEnvironment env = flink.env();
        if (flink.webUi() != null) {
            System.err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
        }
        AudioClassifyJob.Outputs outputs = AudioClassifyJob.classify(
                LiveStreams.audioRecords(env, inputs, out, input.sampleRate(), spec), model, choice);
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
        AudioClassifyJob.write(r, head.labels(), out);
        long streams = r.windows().stream().map(w -> w.stream).distinct().count();
        System.out.println("audio-classify: " + streams + " streams, " + r.windows().size() + " windows, "
                + r.errors().size() + " unreadable files -> " + out);
        return 0;
    }
}
