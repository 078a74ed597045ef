package io.scanflow.jobs.cli;

import io.scanflow.audio.classify.AudioClassifier;
import io.scanflow.audio.classify.AudioInput;
import io.scanflow.audio.detect.Detection;
import io.scanflow.audio.detect.LiveDetection;
import io.scanflow.audio.io.SampleStream;
import io.scanflow.flink.EngineChoice;
import io.scanflow.jobs.audio.AudioClassifyJob;
import io.scanflow.jobs.audio.AudioDetectJob;
import io.scanflow.jobs.audio.DetectionScore;
import io.scanflow.jobs.audio.DetectionTruth;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.head.ClassificationHeads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Finds and labels the spoken words of long audio streams, on embedded Flink or a cluster, or live from stdin. */
@Command(name = "audio-detect", mixinStandardHelpOptions = true,
        description = "Detect spoken words in long audio streams (WAV; other formats through ffmpeg; or standard input):"
                + " one row per word with its start, end, label and probability.")
final class AudioDetectCommand implements Callable<Integer> {
    /** The classifier, and how raw PCM on standard input is read. */
    @Mixin
    ClassifierInputOptions audio;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Audio files or folders of audio files (one stream per file); - for standard input"
                    + " (16-bit PCM WAV, or raw 16-bit little-endian PCM with --rate and --channels), each word"
                    + " printed as soon as it is labelled.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Writes detections.tsv (stream, start_s, end_s, label, probability) and errors.tsv here;"
                    + " with --truth also report.md.")
    Path out;

    @Option(names = "--truth", paramLabel = "FILE",
            description = "Known words (tab-separated: stream, start_s, end_s, label): also writes report.md with"
                    + " precision and recall, with labels and on times alone.")
    Path truth;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Compute backend (default: ${DEFAULT-VALUE}; a feature-input classifier runs on the CPU).")
    String engine;

    /** Parallelism, checkpointing, web UI and progress: the options every Flink job subcommand shares. */
    @Mixin
    JobOptions jobOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (OutputFolder folder = OutputFolder.open("--out", out)) {
            SequenceModel m = AudioClassifyCommand.checkModel(audio.model);
            List<String> labels = ClassificationHeads.load(audio.model, m.hiddenSize()).labels();
            List<DetectionTruth.Event> known = null;
            if (truth != null) {
                CliFiles.requireFile("--truth", truth);
                known = DetectionTruth.load(truth, labels); // a bad truth file fails before the job runs
            }
            AudioDetectJob.Result r = inputs.size() == 1 && inputs.get(0).toString().equals("-")
                    ? detectStandardInput() : detectFiles(m);
            AudioDetectJob.write(r, out);
            System.out.println("audio-detect: " + r.detections().size() + " detections, " + r.errors().size()
                    + " unreadable files -> " + out.resolve("detections.tsv"));
            if (known != null) {
                DetectionScore score = DetectionScore.of(r.detections(), known);
                score.write(out, audio.model.toString(), truth.toString());
                System.out.println("audio-detect: " + score.summary() + " -> " + out.resolve("report.md"));
            }
            return 0;
        }
    }

    private AudioDetectJob.Result detectFiles(SequenceModel m) throws Exception {
        for (Path p : inputs) {
            if (p.toString().equals("-")) {
                throw new IllegalArgumentException("--input -: standard input is read alone, not with files");
            }
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("--input " + p + ": no such file or folder");
            }
        }
        EngineChoice choice = AudioClassifyCommand.checkEngine(engine, m);
        JobOptions.FlinkEnvironment flink = jobOptions.environment(ConfigFile.flinkSettings(spec));
        StreamExecutionEnvironment env = flink.env();
        if (flink.webUi() != null) {
            System.err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
        }
        AudioDetectJob.Outputs outputs = AudioDetectJob.detect(
                AudioClassifyJob.files(env, inputs, AudioInput.load(audio.model).sampleRate(),
                        audio.badRecords.policy()),
                audio.model, choice);
        try {
            return AudioDetectJob.collect(outputs);
        } catch (RuntimeException e) {
            throw JobFailures.fromCollect(e);
        }
    }

    /** {@code --input -}: one live stream, each detection printed (and flushed) as soon as it is labelled. */
    private AudioDetectJob.Result detectStandardInput() throws IOException {
        AudioClassifyCommand.refuseCudaForStandardInput(engine);
        List<Detection> detections = new ArrayList<>();
        try (AudioClassifier classifier = AudioClassifier.load(audio.model);
             SampleStream in = audio.standardInput(classifier)) {
            System.out.print(AudioDetectJob.HEADER);
            System.out.flush();
            LiveDetection.run(classifier, in, "stdin", d -> {
                detections.add(d);
                System.out.print(AudioDetectJob.row(d));
                System.out.flush();
            });
        }
        return new AudioDetectJob.Result(detections, List.of());
    }
}
