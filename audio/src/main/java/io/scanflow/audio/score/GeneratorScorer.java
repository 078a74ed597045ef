package io.scanflow.audio.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Scores a mu-law generator on audio files: each file becomes {@link SpeechTokens}, is read by the model
 * from a fresh state (prefilled in chunks, the state carried), and every sample but the first is scored by
 * the logits of the position before it. The unigram baselines score the same samples.
 *
 * <p>The training script scores 2,048-sample windows of its concatenated test clips instead, each window
 * from a fresh state; reading whole clips gives the model the clip's start as context, so the two
 * figures differ slightly on the same audio.
 */
public final class GeneratorScorer {
    /** Where the training script records the training set's level counts (256 integers). */
    public static final String TRAIN_COUNTS_FIELD = "train_level_counts";

    private final Engine engine;
    private final int rate;
    private final int chunk;

    /**
     * @param engine a token engine running a model of {@link MuLaw#LEVELS} tokens
     * @param rate   the model's sample rate: files are resampled to it
     * @param chunk  positions per prefill call (the engine's chunk length or less)
     */
    public GeneratorScorer(Engine engine, int rate, int chunk) {
        if (engine.model().vocabSize() != MuLaw.LEVELS) {
            throw new IllegalArgumentException("a mu-law generator predicts " + MuLaw.LEVELS + " levels; this model has "
                    + engine.model().vocabSize() + " tokens");
        }
        this.engine = engine;
        this.rate = rate;
        this.chunk = chunk;
    }

    /** Scores {@code files}, each read as {@link SpeechTokens} at the model's rate. */
    public GeneratorScore score(List<Path> files, Optional<long[]> trainCounts) {
        List<int[]> clips = new ArrayList<>(files.size());
        for (Path file : files) {
            clips.add(SpeechTokens.read(file, rate));
        }
        return scoreClips(clips, trainCounts);
    }

    /** Scores clips of mu-law tokens, each from a fresh state. */
    public GeneratorScore scoreClips(List<int[]> clips, Optional<long[]> trainCounts) {
        int slot = engine.openSlot();
        LevelHistogram scored = new LevelHistogram();
        double nats = 0;
        try {
            for (int[] tokens : clips) {
                nats += clipNats(slot, tokens, scored);
            }
        } finally {
            engine.closeSlot(slot);
        }
        long n = scored.total();
        if (n == 0) {
            throw new IllegalArgumentException("no samples to score: every clip has fewer than 2 samples");
        }
        double train = trainCounts.map(scored::crossEntropyBits).orElse(Double.NaN);
        return new GeneratorScore(clips.size(), n, nats / n / Math.log(2), scored.entropyBits(), train);
    }

    /** Negative log-likelihood (nats) of tokens[1..] given the tokens before each; adds the targets to {@code scored}. */
    private double clipNats(int slot, int[] tokens, LevelHistogram scored) {
        engine.resetSlot(slot);
        int vocab = MuLaw.LEVELS;
        double nats = 0;
        for (int from = 0; from < tokens.length - 1; from += chunk) {
            int to = Math.min(tokens.length - 1, from + chunk);
            float[][] logits = {new float[(to - from) * vocab]};
            engine.prefill(new int[] {slot}, new int[][] {Arrays.copyOfRange(tokens, from, to)},
                    Output.ALL_LOGITS, logits);
            for (int i = from; i < to; i++) {
                int target = tokens[i + 1];
                nats += negativeLogSoftmax(logits[0], (i - from) * vocab, vocab, target);
                scored.add(target);
            }
        }
        return nats;
    }

    static double negativeLogSoftmax(float[] logits, int offset, int width, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += Math.exp(logits[offset + j] - max);
        }
        return max + Math.log(sum) - logits[offset + target];
    }

    /**
     * The files to score: each input file as given, and every {@code .wav} file under each input folder
     * (recursively, hidden ones skipped), in path order.
     */
    public static List<Path> files(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (!Files.isDirectory(input)) {
                if (!Files.isRegularFile(input)) {
                    throw new IllegalArgumentException(input + ": no such file or folder");
                }
                files.add(input);
                continue;
            }
            try (Stream<Path> walk = Files.walk(input)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().startsWith("."))
                        .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav"))
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(input + ": cannot list: " + e.getMessage(), e);
            }
        }
        return files;
    }

    /** The training set's level counts from the model folder's {@code metrics.json}, if it records them. */
    public static Optional<long[]> trainCounts(Path modelDir) {
        Path metrics = modelDir.resolve("metrics.json");
        if (!Files.isRegularFile(metrics)) {
            return Optional.empty();
        }
        JsonNode counts;
        try {
            counts = new ObjectMapper().readTree(metrics.toFile()).get(TRAIN_COUNTS_FIELD);
        } catch (IOException e) {
            throw new UncheckedIOException(metrics + ": cannot read: " + e.getMessage(), e);
        }
        if (counts == null) {
            return Optional.empty();
        }
        if (!counts.isArray() || counts.size() != MuLaw.LEVELS) {
            throw new IllegalArgumentException(metrics + ": field " + TRAIN_COUNTS_FIELD + " must be an array of "
                    + MuLaw.LEVELS + " counts");
        }
        long[] out = new long[MuLaw.LEVELS];
        for (int i = 0; i < out.length; i++) {
            if (!counts.get(i).canConvertToLong() || counts.get(i).asLong() < 0) {
                throw new IllegalArgumentException(metrics + ": field " + TRAIN_COUNTS_FIELD + "[" + i + "] is not a"
                        + " count: " + counts.get(i));
            }
            out[i] = counts.get(i).asLong();
        }
        return Optional.of(out);
    }
}
