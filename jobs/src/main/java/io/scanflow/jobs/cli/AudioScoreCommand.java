package io.scanflow.jobs.cli;

import io.scanflow.audio.score.GeneratorScore;
import io.scanflow.audio.score.GeneratorScorer;
import io.scanflow.kernels.Engine;
import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How well a mu-law generator predicts real audio: bits per sample next to unigram baselines. */
@Command(name = "audio-score", mixinStandardHelpOptions = true,
        description = "Score a mu-law generator on audio files: bits per sample of the next sample, next to unigram"
                + " baselines (the scored samples' own level entropy; the training set's levels where metrics.json"
                + " records them).")
final class AudioScoreCommand implements Callable<Integer> {
    /** Positions per prefill call; a clip is read whole, the state carried between calls. */
    private static final int CHUNK = 2048;

    /** The generator folder (config.json, model.safetensors, audio.json), the engine and its threads. */
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Audio files, or folders: every .wav file under them, recursively. Each clip is resampled to"
                    + " the model's rate, mu-law encoded, its trailing silence dropped, and read from a fresh state.")
    List<Path> inputs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Path> files = GeneratorScorer.files(inputs);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--input " + inputs + ": no .wav files");
        }
        int rate = AudioGenerateCommand.sampleRate(modelOptions.model);
        long start = System.nanoTime();
        SequenceModel model = modelOptions.load();
        GeneratorScore score;
        try (Engine engine = modelOptions.openEngine(model, CHUNK)) {
            score = new GeneratorScorer(engine, rate, CHUNK).score(files, GeneratorScorer.trainCounts(modelOptions.model));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        new Summary("scanflow audio-score: done")
                .row("clips", String.valueOf(score.clips()))
                .row("samples scored", String.format(Locale.ROOT, "%,d (%.1f s at %d Hz)", score.samples(),
                        (double) score.samples() / rate, rate))
                .row("generator", bits(score.modelBits()))
                .row("unigram, own levels", bits(score.ownUnigramBits()) + " (fitted on the scored samples)")
                .row("unigram, training levels", score.hasTrainUnigram() ? bits(score.trainUnigramBits())
                        : "- (metrics.json has no " + GeneratorScorer.TRAIN_COUNTS_FIELD + ")")
                .row("time", String.format(Locale.ROOT, "%.2f s", seconds))
                .row("throughput", Summary.rate(score.samples(), seconds) + " samples/s")
                .row("engine", modelOptions.describeEngine())
                .print(spec.commandLine().getOut());
        return 0;
    }

    private static String bits(double value) {
        return String.format(Locale.ROOT, "%.4f bits/sample", value);
    }
}
