package io.scanflow.audio.tools;

import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.features.FeatureConfig;
import io.scanflow.audio.features.FeatureExtractor;
import io.scanflow.audio.io.AudioFiles;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the spoken-digit corpus into training arrays with exactly the code the jobs run at inference
 * (decoding, resampling and TarsosDSP features in Java), so training and serving see the same numbers.
 *
 * <p>Usage: {@code ExportTrainingData CORPUS_DIR OUT_DIR [GEN_RATE]}. Reads {@code CORPUS_DIR/manifest.tsv}
 * (file, digit, split, ...) and writes, per split S (every value of the split column, in order of first
 * appearance), raw little-endian arrays:
 * {@code S.features.f32} [clips, frames, width] (the classifier's frames of each 1 s clip),
 * {@code S.labels.i32} [clips], {@code S.mulaw.u8} [clips, GEN_RATE] (the clip at GEN_RATE Hz as mu-law
 * tokens, for the sample-level generator; not written when GEN_RATE is 0), {@code S.voices.txt} (columns
 * 4 and 5 joined by {@code +} per clip: accent+variant, or synthesizer+voice) and {@code meta.txt} (shapes).
 */
public final class ExportTrainingData {
    public static final List<String> DIGITS =
            List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

    private ExportTrainingData() {}

    /** The classifier's features: 20 MFCCs from 40 mel filters, 32 ms frames every 16 ms at 16 kHz. */
    public static FeatureConfig classifierFeatures() {
        return new FeatureConfig(FeatureConfig.Kind.MFCC, 16000, 512, 256, 20, 40, 20f, 8000f);
    }

    public static void main(String[] args) throws IOException {
        Path corpus = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int genRate = args.length > 2 ? Integer.parseInt(args[2]) : 8000;
        Files.createDirectories(out);
        FeatureConfig fc = classifierFeatures();
        FeatureExtractor fx = new FeatureExtractor(fc);
        int clipSamples = fc.sampleRate();
        int frames = fc.frames(clipSamples);
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(corpus.resolve("manifest.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            rows.add(line.split("\t"));
        }
        StringBuilder meta = new StringBuilder("frames " + frames + "\nwidth " + fc.width() + "\ngen_rate " + genRate + "\n");
        for (String split : rows.stream().map(r -> r[2]).distinct().toList()) {
            int count = 0;
            try (OutputStream feats = out(out.resolve(split + ".features.f32"));
                 OutputStream labels = out(out.resolve(split + ".labels.i32"));
                 OutputStream mulaw = genRate > 0 ? out(out.resolve(split + ".mulaw.u8")) : OutputStream.nullOutputStream();
                 OutputStream voices = out(out.resolve(split + ".voices.txt"))) {
                for (String[] r : rows) {
                    if (!r[2].equals(split)) {
                        continue;
                    }
                    Path file = corpus.resolve(r[0]);
                    float[] clip = fit(AudioFiles.readAll(file, fc.sampleRate()), clipSamples);
                    float[] f = fx.extract(clip, 0, clipSamples);
                    ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    b.asFloatBuffer().put(f);
                    feats.write(b.array());
                    labels.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(DIGITS.indexOf(r[1])).array());
                    if (genRate > 0) {
                        mulaw.write(mulawTokens(AudioFiles.readAll(file, genRate), genRate));
                    }
                    voices.write((r[3] + "+" + r[4] + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    count++;
                }
            }
            meta.append(split).append(' ').append(count).append('\n');
        }
        Files.writeString(out.resolve("meta.txt"), meta);
        System.out.print(meta);
    }

    private static byte[] mulawTokens(float[] samples, int n) {
        float[] gen = fit(samples, n);
        byte[] tokens = new byte[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = (byte) MuLaw.encode(gen[i]);
        }
        return tokens;
    }

    /** Cuts or zero-pads to exactly {@code n} samples. */
    public static float[] fit(float[] samples, int n) {
        return java.util.Arrays.copyOf(samples, n);
    }

    private static OutputStream out(Path p) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p), 1 << 16));
    }
}
