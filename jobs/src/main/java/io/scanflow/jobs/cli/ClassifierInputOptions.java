package io.scanflow.jobs.cli;

import io.scanflow.audio.classify.AudioClassifier;
import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.PipedPcmStream;
import io.scanflow.audio.io.SampleStream;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The audio classifier and how raw PCM on standard input is read: options audio-classify and audio-detect share. */
final class ClassifierInputOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR|URI", converter = ModelFolderConverter.class,
            description = "Classifier folder: config.json, model.safetensors, head.json (with \"input\"), head.safetensors.")
    Path model;

    @Option(names = "--rate", paramLabel = "HZ", description = "Sample rate of raw PCM on standard input (--input -).")
    Integer rate;

    @Option(names = "--channels", defaultValue = "1", paramLabel = "N",
            description = "Channels of raw PCM on standard input, averaged to mono (default: ${DEFAULT-VALUE}).")
    int channels;

    /** Unreadable audio files: fail, a row in errors.tsv, or only a count. */
    @Mixin
    BadRecordsOption badRecords;

    /** Standard input at the classifier's rate: WAV, or raw PCM with {@code --rate} and {@code --channels}. */
    SampleStream standardInput(AudioClassifier classifier) {
        return AudioFiles.resampled(PipedPcmStream.open(System.in, rate, channels), classifier.sampleRate());
    }
}
