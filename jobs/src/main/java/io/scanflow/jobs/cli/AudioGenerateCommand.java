package io.scanflow.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.SpectrogramImage;
import io.scanflow.flink.EngineChoice;
import io.scanflow.jobs.audio.AudioGenerateJob;
import io.scanflow.model.config.ModelConfigLoader;
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

/** Runs N concurrent sample-level generation sessions and writes one WAV per session. */
@Command(name = "audio-generate", mixinStandardHelpOptions = true,
        description = "Generate audio with a sample-level mu-law model: N concurrent sessions, one WAV each.")
final class AudioGenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR|URI", converter = ModelFolderConverter.class,
            description = "Generator folder: config.json, model.safetensors, audio.json (sample rate, encoding).")
    Path model;

    @Option(names = "--sessions", required = true, paramLabel = "N", description = "Concurrent sessions (keys).")
    int sessions;

    @Option(names = "--seconds", required = true, paramLabel = "S", description = "Audio seconds per session.")
    double seconds;

    @Option(names = "--prompt", paramLabel = "WAV", description = "Audio every session continues (default: silence).")
    Path prompt;

    @Option(names = "--realtime", description = "Emit samples at real-time pace (default: as fast as possible).")
    boolean realtime;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T",
            description = "Sampling temperature (default: ${DEFAULT-VALUE}: the model's distribution).")
    float temperature;

    @Option(names = "--reference", paramLabel = "WAV",
            description = "Real clip drawn next to a generated one in spectrogram.png (default: the prompt).")
    Path reference;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Compute backend (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "CPU engine threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--samples-per-round", paramLabel = "N",
            description = "Samples each session generates per engine call (one kernel launch on CUDA); with"
                    + " --realtime they come in bursts of N, up to N / rate seconds early. The audio does not depend"
                    + " on it (default: 50 ms of samples, 400 at 8 kHz).")
    Integer samplesPerRound;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Writes <session>.wav, generation.tsv and spectrogram.png here.")
    Path out;

    /** A 16-bit mono WAV's data size field is 32 bits: at most this many samples. */
    static final long WAV_MAX_SAMPLES = (0xFFFF_FFFFL - 36) / 2;

    /** --seconds against the WAV format, --sessions against the heap and, with both, the disk. */
    private void checkSizes(int rate) {
        double samples = seconds * rate;
        if (samples > WAV_MAX_SAMPLES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--seconds %s: %.3g samples at %d Hz, more than a"
                    + " 16-bit WAV file holds (%d samples, %.1f hours at %d Hz)", seconds, samples, rate, WAV_MAX_SAMPLES,
                    WAV_MAX_SAMPLES / (3600.0 * rate), rate));
        }
        long stateBytes = 4 * ModelConfigLoader.load(model).stateFloats();
        // Each session holds its model state, RNG, prompt and audio buffers (a few KiB besides the state).
        Limits.heap("--sessions " + sessions, sessions * (stateBytes + 8192.0));
        Limits.disk("--sessions " + sessions + " --seconds " + seconds + ": the WAV files", out, sessions * (2 * samples + 44));
    }

    /** Checkpointing, web UI and progress; parallelism stays 1 unless given (one operator batches every session). */
    @Mixin
    JobOptions jobOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (OutputFolder folder = OutputFolder.open("--out", out)) {
            return generate();
        }
    }

    private int generate() throws Exception {
        EngineChoice choice = DnaClassifyCommand.engine(engine);
        if (sessions < 1 || !(seconds > 0)) {
            throw new IllegalArgumentException("--sessions must be >= 1 and --seconds > 0");
        }
        int rate = sampleRate(model);
        checkSizes(rate);
        int perRound = samplesPerRound != null ? samplesPerRound : Math.max(1, rate / 20);
        if (perRound < 1) {
            throw new IllegalArgumentException("--samples-per-round must be at least 1, found " + perRound);
        }
        int[] promptTokens = {AudioGenerateJob.SILENCE};
        if (prompt != null) {
            float[] s = AudioFiles.readAll(prompt, rate);
            promptTokens = new int[Math.max(1, s.length)];
            promptTokens[0] = AudioGenerateJob.SILENCE;
            MuLaw.encode(s, 0, s.length, promptTokens, 0);
        }
        JobOptions.FlinkEnvironment flink = jobOptions.environment(ConfigFile.flinkSettings(spec));
        StreamExecutionEnvironment env = flink.env();
        if (jobOptions.parallelism == null) {
            env.setParallelism(1); // one operator instance batches every session into one engine call per step
        }
        if (flink.webUi() != null) {
            System.err.println("Flink web UI: " + flink.webUi() + " (while the job runs)");
        }
        Files.createDirectories(out);
        List<AudioGenerateJob.SessionStats> stats;
        try {
            stats = AudioGenerateJob.run(env, model, choice, threads, sessions, seconds, promptTokens, realtime, seed,
                    temperature, rate, perRound, out);
        } catch (RuntimeException e) {
            throw JobFailures.fromCollect(e);
        }
        StringBuilder tsv = new StringBuilder("session\tsamples\tseconds\trealtime_factor\n");
        for (AudioGenerateJob.SessionStats s : stats) {
            tsv.append(s.session()).append('\t').append(s.samples()).append('\t')
                    .append(String.format(Locale.ROOT, "%.3f\t%.3f", s.seconds(), s.realtimeFactor())).append('\n');
        }
        Files.writeString(out.resolve("generation.tsv"), tsv);
        writeSpectrogram(rate);
        double slowest = stats.stream().mapToDouble(AudioGenerateJob.SessionStats::realtimeFactor).min().orElse(0);
        System.out.println(String.format(Locale.ROOT, "audio-generate: %d sessions x %.2f s at %d Hz, slowest session at "
                + "%.2fx real time -> %s", stats.size(), seconds, rate, slowest, out));
        return 0;
    }

    private void writeSpectrogram(int rate) {
        String first = AudioGenerateJob.sessionName(0, sessions);
        List<SpectrogramImage.Panel> panels = new ArrayList<>();
        panels.add(new SpectrogramImage.Panel("generated: " + first,
                AudioFiles.readAll(out.resolve(first + ".wav"), rate), rate));
        Path real = reference != null ? reference : prompt;
        if (real != null) {
            panels.add(new SpectrogramImage.Panel("real: " + real.getFileName(), AudioFiles.readAll(real, rate), rate));
        }
        try {
            SpectrogramImage.write(out.resolve("spectrogram.png"), panels);
        } catch (LinkageError | InternalError e) {
            // A server without font libraries (libfontmanager needs harfbuzz and freetype) draws no labels.
            System.err.println("audio-generate: spectrogram.png not drawn (" + e.getMessage() + ")");
        }
    }

    /** {@code sample_rate} from the model's audio.json. */
    static int sampleRate(Path model) throws java.io.IOException {
        Path json = model.resolve("audio.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(model + ": no audio.json (sample rate and encoding of the generator)");
        }
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        if (!"mu-law-8".equals(root.path("encoding").asText())) {
            throw new IllegalArgumentException(json + ": field encoding: expected 'mu-law-8', found '"
                    + root.path("encoding").asText() + "'");
        }
        int rate = root.path("sample_rate").asInt(0);
        if (rate <= 0) {
            throw new IllegalArgumentException(json + ": field sample_rate: expected a positive integer");
        }
        return rate;
    }
}
