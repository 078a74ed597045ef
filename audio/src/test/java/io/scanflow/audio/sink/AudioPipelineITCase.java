package io.scanflow.audio.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.AudioFiles;
import io.scanflow.audio.io.WavFixtures;
import io.scanflow.audio.source.AudioChunk;
import io.scanflow.audio.source.AudioRecords;
import io.scanflow.audio.source.AudioSource;
import io.scanflow.model.io.BadInput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files -> audio source -> (errors to the side output) -> keyed WAV sink on a MiniCluster with
 * checkpoints, once cleanly and once with a failure in the middle: the outputs equal the inputs sample
 * for sample, each file is written once, and the bad files come out as named errors.
 */
class AudioPipelineITCase {
    @TempDir
    Path dir;

    /** Which runs have failed once (static: survives the restore). */
    static final ConcurrentHashMap<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();

    /**
     * Fails once, when the first checkpoint completes after the subtask has passed {@code at} chunks: in the
     * checkpoint's notification, so the failure always follows a completed checkpoint that holds part of
     * the output, whatever the machine's speed (the final checkpoint at end of input is one too).
     */
    static final class FailOnce implements MapFunction<AudioChunk, AudioChunk>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final String run;
        private final long at;
        private long seen;

        FailOnce(String run, long at) {
            this.run = run;
            this.at = at;
        }

        @Override
        public AudioChunk map(AudioChunk c) {
            seen++;
            return c;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            if (seen >= at && FAILED.computeIfAbsent(run, r -> new AtomicBoolean()).compareAndSet(false, true)) {
                throw new Exception("injected failure after checkpoint " + checkpointId + ", " + seen + " chunks in");
            }
        }
    }

    private List<float[]> inputs(Path in) {
        List<float[]> signals = new ArrayList<>();
        Random rnd = new Random(3);
        for (int f = 0; f < 3; f++) {
            float[] s = new float[20000 + 7000 * f];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) (0.4 * Math.sin(i * (0.01 + 0.02 * f)) + 0.05 * rnd.nextGaussian());
            }
            WavFixtures.pcm16(in.resolve("clip" + f + ".wav"), 8000, s);
            signals.add(AudioFiles.readAll(in.resolve("clip" + f + ".wav"), 8000));
        }
        WavFixtures.write(in.resolve("readme.wav"), "not audio".getBytes(StandardCharsets.US_ASCII));
        WavFixtures.write(in.resolve("empty.wav"), WavFixtures.header(1, 1, 8000, 16, 2, 0).array());
        return signals;
    }

    private List<String> run(Path in, Path out, String run, long failAt) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        env.enableCheckpointing(50);
        AudioSource source = AudioSource.forPaths(List.of(in)).sampleRate(8000).chunkSamples(1000).build();
        SingleOutputStreamOperator<AudioChunk> chunks = AudioRecords.splitErrors(
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "audio files"));
        chunks.map(new FailOnce(run, failAt)).keyBy(c -> c.stream).sinkTo(new WavSink(out));
        List<String> errors = new ArrayList<>();
        try (CloseableIterator<BadInput> it = chunks.getSideOutput(AudioRecords.ERRORS).executeAndCollect()) {
            it.forEachRemaining(e -> errors.add(e.file() + " " + e.field() + " @" + e.record()));
        }
        errors.sort(null);
        return errors;
    }

    private void check(List<float[]> signals, Path out, List<String> errors) throws Exception {
        for (int f = 0; f < signals.size(); f++) {
            assertArrayEquals(signals.get(f), AudioFiles.readAll(out.resolve("clip" + f + ".wav"), 8000),
                    1f / 32767, "clip " + f);
        }
        try (var listing = Files.list(out)) {
            assertFalse(listing.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no in-progress files left");
        }
        assertTrue(errors.contains("empty.wav data.size @byte 40"), errors.toString());
        assertTrue(errors.contains("readme.wav riff.id @byte 0"), errors.toString());
    }

    @Test
    void filesFlowThroughTheSourceIntoTheSinkAndBadFilesToTheSideOutput() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<float[]> signals = inputs(in);
        Path out = dir.resolve("out");
        List<String> errors = run(in, out, "clean", Long.MAX_VALUE);
        check(signals, out, errors);
        assertEquals(2, errors.size());
    }

    @Test
    void aFailureMidStreamStillWritesEverySampleExactlyOnce() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<float[]> signals = inputs(in);
        Path out = dir.resolve("out");
        String run = "failing-" + System.nanoTime();
        List<String> errors = run(in, out, run, 30);
        assertTrue(FAILED.get(run).get(), "the failure was injected after a completed checkpoint");
        check(signals, out, errors);
    }
}
