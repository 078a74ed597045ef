package io.scanflow.audio.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.audio.io.WavFixtures;
import io.scanflow.model.io.BadInputException;
import io.scanflow.model.io.BadRecordPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bad-record policy on an unreadable file, the same three choices the genomics source offers. */
class AudioRecordEmitterTest {
    @TempDir
    Path dir;

    private AudioRecord unreadable() {
        Path bad = WavFixtures.write(dir.resolve("bad.wav"), "not audio at all".getBytes(StandardCharsets.US_ASCII));
        List<AudioRecord> read = AudioSplitReaderTest.readAll(8000, 1000, split(bad));
        assertEquals(1, read.size());
        return read.get(0);
    }

    private static AudioSplit split(Path file) {
        return new AudioSplit(file.toString(), -1, "bad.wav", 0, false);
    }

    @Test
    void sideOutputEmitsTheBadInputAndEndsTheSplit() {
        AudioRecord bad = unreadable();
        SimpleCounter counter = new SimpleCounter();
        Collected out = new Collected();
        AudioSplitState state = new AudioSplitState(split(dir.resolve("bad.wav")));
        new AudioRecordEmitter(BadRecordPolicy.SIDE_OUTPUT, counter).emitRecord(bad, out, state);
        assertEquals(List.of(bad), out.records);
        assertEquals(1, counter.getCount());
        assertTrue(state.toSplit().ended());
    }

    @Test
    void skipCountsTheBadInputAndEmitsNothing() {
        AudioRecord bad = unreadable();
        SimpleCounter counter = new SimpleCounter();
        Collected out = new Collected();
        AudioSplitState state = new AudioSplitState(split(dir.resolve("bad.wav")));
        new AudioRecordEmitter(BadRecordPolicy.SKIP, counter).emitRecord(bad, out, state);
        assertEquals(List.of(), out.records);
        assertEquals(1, counter.getCount());
        assertTrue(state.toSplit().ended());
    }

    @Test
    void failStopsTheJobWithFileRecordAndField() {
        AudioRecord bad = unreadable();
        AudioSplitState state = new AudioSplitState(split(dir.resolve("bad.wav")));
        SuppressRestartsException e = assertThrows(SuppressRestartsException.class,
                () -> new AudioRecordEmitter(BadRecordPolicy.FAIL, new SimpleCounter()).emitRecord(bad, new Collected(), state));
        BadInputException cause = (BadInputException) e.getCause();
        assertSame(bad.error, cause.bad());
        assertTrue(cause.getMessage().startsWith("bad.wav: record 'byte 0': field 'riff.id': "), cause.getMessage());
    }

    /** Flink's reader output, keeping what the emitter sends. */
    private static final class Collected implements SourceOutput<AudioRecord> {
        final List<AudioRecord> records = new ArrayList<>();

        @Override
        public void collect(AudioRecord record) {
            records.add(record);
        }

        @Override
        public void collect(AudioRecord record, long timestamp) {
            records.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}
