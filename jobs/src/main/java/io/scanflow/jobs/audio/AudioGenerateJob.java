package io.scanflow.jobs.audio;

import io.scanflow.audio.dsp.MuLaw;
import io.scanflow.audio.sink.WavSink;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.flink.EngineChoice;
import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedChunk;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.jobs.stream.BlockPacing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * audio-generate: N sessions, each a key with its prompt (mu-law tokens of a WAV, or one silence token)
 * and one demand record per round ({@link SessionRecords}), through the keyed generate operator
 * (sampling, batched across sessions, {@code samplesPerRound} samples per session per engine call, at
 * real-time pace or as fast as possible, one record per session per round) -> tokens to audio chunks ->
 * the exactly-once WAV sink ({@code <session>.wav}). The per-session figures come back to the client. The
 * samples do not depend on {@code samplesPerRound}.
 */
public final class AudioGenerateJob {
    /** The level closest to silence, the prompt when none is given. */
    public static final int SILENCE = MuLaw.encode(0f);

    private AudioGenerateJob() {}

    /** One session's figures: samples, audio seconds, real-time factor (audio seconds per wall second). */
    public record SessionStats(String session, long samples, double seconds, double realtimeFactor) {}

    /**
     * The sessions' prompts, then their demand, one record per session per round: the source stays open
     * while the sessions generate, so checkpoint barriers reach the generate operator between rounds.
     * Its only state is the next record's index (Flink's data generator source).
     */
    private static DataStream<ScanInput> sessionRecords(StreamExecutionEnvironment env, SessionRecords records,
                                                        RateLimiterStrategy<?> pacing) {
        DataGeneratorSource<ScanInput> source = new DataGeneratorSource<>(records, records.count(), pacing,
                TypeInformation.of(ScanInput.class));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "session prompts and demand")
                .setParallelism(1).uid("session-records");
    }

    public static String sessionName(int i, int sessions) {
        int digits = Math.max(3, String.valueOf(sessions - 1).length());
        return String.format("session-%0" + digits + "d", i);
    }

    public static List<SessionStats> run(StreamExecutionEnvironment env, Path model, EngineChoice engine, int threads,
                                         int sessions, double seconds, int[] prompt, boolean realtime, long seed,
                                         float temperature, int sampleRate, int samplesPerRound, Path out)
            throws Exception {
        // Demand the generator has not reached yet waits in the network buffers: an aligned barrier would
        // wait behind all of it, an unaligned one overtakes it and stores it with the checkpoint.
        env.getCheckpointConfig().enableUnalignedCheckpoints();
        int samples = (int) Math.round(seconds * sampleRate);
        Generate mode = Generate.tokens(samples).withSampling(temperature, 0, 1f).withSeed(seed)
                .atTokensPerSecond(realtime ? sampleRate : 0).withTokensPerRound(samplesPerRound).onDemand();
        ScanOptions options = ScanOptions.defaults().withBundleSize(Math.max(1, sessions))
                .withBundleTimeout(Duration.ofMillis(5));
        ModelSpec spec = ModelSpec.of(model).withEngine(engine).withThreads(threads).withChunkLength(Math.max(256, sessions));
        DataStream<ScanInput> input = sessionRecords(env, new SessionRecords(sessions, prompt, mode.roundsPerSession()),
                realtime ? BlockPacing.sessionRounds(sessions, (double) samplesPerRound / sampleRate)
                        : RateLimiterStrategy.noOp());
        SingleOutputStreamOperator<GeneratedChunk> tokens =
                ScanOperators.generateChunks(ScanOperators.keyByStream(input), spec, mode, options).uid("generate");
        // A session's chunks come out of the subtask that owns its key: no shuffle before the keyed decoder.
        SingleOutputStreamOperator<AudioChunk> audio = DataStreamUtils.reinterpretAsKeyedStream(tokens,
                        GeneratedChunk::key, Types.STRING)
                .process(new TokensToAudio(sampleRate)).uid("tokens-to-audio").name("mu-law tokens to audio");
        // Still partitioned by session: the sink is chained too, as the WAV sink wants a stream on one writer.
        audio.sinkTo(new WavSink(out)).uid("wav-sink").name("WAV files");
        List<SessionStats> stats = new ArrayList<>();
        try (CloseableIterator<String> it = audio.getSideOutput(TokensToAudio.STATS)
                .executeAndCollect("scanflow audio-generate")) {
            while (it.hasNext()) {
                String[] f = it.next().split("\t");
                stats.add(new SessionStats(f[0], Long.parseLong(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3])));
            }
        }
        stats.sort(java.util.Comparator.comparing(SessionStats::session));
        return stats;
    }
}
