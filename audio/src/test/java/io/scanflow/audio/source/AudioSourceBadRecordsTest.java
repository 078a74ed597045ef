package io.scanflow.audio.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.WavFixtures;
import io.scanflow.model.io.BadInputException;
import io.scanflow.model.io.BadRecordPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-record policy of the audio source in a local job, the same choices the genomics source offers
 * (SIDE_OUTPUT, the default, is run by AudioPipelineITCase): an unreadable file is dropped under SKIP
 * while the good one is read whole, and stops the job under FAIL with file, record and field.
 */
class AudioSourceBadRecordsTest {
    private static final int RATE = 8000;
    private static final int GOOD_SAMPLES = 2500;

    @TempDir
    Path dir;

    private AudioSource source(BadRecordPolicy policy) {
        WavFixtures.write(dir.resolve("bad.wav"), "not audio at all".getBytes(StandardCharsets.US_ASCII));
        WavFixtures.pcm16(dir.resolve("good.wav"), RATE, WavFixtures.sine(440, RATE, GOOD_SAMPLES, 0.5));
        return AudioSource.forPaths(List.of(dir)).sampleRate(RATE).chunkSamples(1000).badRecords(policy).build();
    }

    private static List<AudioRecord> run(AudioSource source) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<AudioRecord> out = new ArrayList<>();
        try (CloseableIterator<AudioRecord> it = env.fromSource(source, WatermarkStrategy.noWatermarks(), "audio")
                .executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void skipDropsTheUnreadableFileAndReadsTheOther() throws Exception {
        List<AudioRecord> records = run(source(BadRecordPolicy.SKIP));
        int samples = 0;
        for (AudioRecord r : records) {
            assertNull(r.error, "nothing but chunks under SKIP");
            assertEquals("good.wav", r.chunk.stream);
            samples += r.chunk.samples.length;
        }
        assertEquals(GOOD_SAMPLES, samples);
    }

    @Test
    void failStopsTheJobNamingFileRecordAndField() {
        Exception e = assertThrows(Exception.class, () -> run(source(BadRecordPolicy.FAIL)));
        BadInputException bad = null;
        for (Throwable t = e; t != null && bad == null; t = t.getCause()) {
            bad = t instanceof BadInputException b ? b : null;
        }
        assertTrue(bad != null, "the job's failure carries the bad input: " + e);
        assertTrue(bad.getMessage().startsWith("bad.wav: record 'byte 0': field 'riff.id': "), bad.getMessage());
    }
}
