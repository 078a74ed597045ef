package io.scanflow.genomics.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import htsjdk.samtools.SAMFileWriter;
import htsjdk.samtools.SAMFileWriterFactory;
import htsjdk.samtools.SAMRecord;
import htsjdk.samtools.SamReader;
import htsjdk.samtools.SamReaderFactory;
import io.scanflow.genomics.io.SourceRecord;
import io.scanflow.genomics.testing.Reading;
import io.scanflow.genomics.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A split checkpointed after any record, serialized, and restored reads exactly the records an
 * uninterrupted read would have read next: nothing lost, nothing twice.
 */
class CheckpointRestoreTest {

    @TempDir
    Path dir;

    private void assertRestoresExactly(Path file, ReadOptions options) throws IOException {
        List<GenomicsSplit> splits = SplitPlanner.plan(List.of(file), options);
        for (GenomicsSplit split : splits) {
            List<String> whole = Reading.all(split, options).stream().map(Reading::key).toList();
            assertTrue(!whole.isEmpty(), "split " + split.splitId() + " has records");
            for (int k : new int[] {0, 1, 2, whole.size() / 2, whole.size() - 1, whole.size()}) {
                Reading.Partial before = Reading.first(split, options, k);
                byte[] bytes = GenomicsSplitSerializer.INSTANCE.serialize(before.checkpoint());
                GenomicsSplit restored = GenomicsSplitSerializer.INSTANCE.deserialize(GenomicsSplitSerializer.VERSION, bytes);
                assertEquals(before.checkpoint(), restored);
                List<String> resumed = new ArrayList<>(before.records().stream().map(Reading::key).toList());
                resumed.addAll(Reading.all(restored, options).stream().map(Reading::key).toList());
                assertEquals(whole, resumed, file.getFileName() + " split " + split.splitId() + " restored after " + k);
                if (k > 0 && k < whole.size()) {
                    assertEquals(k, restored.ordinal(), "ordinal after " + k);
                }
            }
        }
    }

    @Test
    void bamPositionIsTheNextRecordsVirtualOffset() throws IOException {
        ReadOptions options = ReadOptions.defaults().withRecordsPerSplit(400);
        assertRestoresExactly(TestData.demoBam(), options);
        GenomicsSplit split = SplitPlanner.plan(List.of(TestData.demoBam()), options).get(1);
        Reading.Partial after3 = Reading.first(split, options, 3);
        Reading.Partial after4 = Reading.first(split, options, 4);
        // The position after record 3 is where record 4 starts: a BGZF virtual offset inside the split.
        assertTrue(after3.checkpoint().position() > split.start() && after3.checkpoint().position() < split.end());
        assertEquals(Reading.key(after4.records().get(3)), Reading.key(Reading.first(after3.checkpoint(), options, 1).records().get(0)));
    }

    @Test
    void fastaPositionIsTheNextWindow() throws IOException {
        ReadOptions options = ReadOptions.defaults().withWindow(150, 75).withWindowsPerSplit(40);
        assertRestoresExactly(TestData.references(), options);
        GenomicsSplit split = SplitPlanner.plan(List.of(TestData.references()), options).get(2);
        assertEquals(split.start() + 5, Reading.first(split, options, 5).checkpoint().position());
    }

    @Test
    void samCramAndFastqPositionsCountRecords() throws IOException {
        Path sam = dir.resolve("demo.sam");
        Path fastq = dir.resolve("demo.fastq");
        try (SamReader r = SamReaderFactory.makeDefault().open(TestData.demoBam());
             SAMFileWriter w = new SAMFileWriterFactory().makeSAMWriter(r.getFileHeader(), true, sam);
             var fq = Files.newBufferedWriter(fastq)) {
            int n = 0;
            for (SAMRecord rec : r) {
                if (n++ >= 200) {
                    break;
                }
                w.addAlignment(rec);
                fq.write("@" + rec.getReadName() + " extra\n" + rec.getReadString() + "\n+\n" + rec.getBaseQualityString() + "\n");
            }
        }
        assertRestoresExactly(sam, ReadOptions.defaults());
        assertRestoresExactly(fastq, ReadOptions.defaults());
        assertRestoresExactly(TestData.genomics("ape-demo.cram"),
                ReadOptions.defaults().withReference(TestData.references().toString()));
        GenomicsSplit split = SplitPlanner.plan(List.of(fastq), ReadOptions.defaults()).get(0);
        assertEquals(17, Reading.first(split, ReadOptions.defaults(), 17).checkpoint().position());
    }

    @Test
    void cramReadsTheSameReadsAsTheBam() {
        ReadOptions options = ReadOptions.defaults().withReference(TestData.references().toString());
        List<String> bam = Reading.all(SplitPlanner.plan(List.of(TestData.demoBam()), options), options).stream()
                .map(r -> r.read().id() + r.read().sample() + r.read().bases()).toList();
        List<String> cram = Reading.all(SplitPlanner.plan(List.of(TestData.genomics("ape-demo.cram")), options), options)
                .stream().map(r -> r.read().id() + r.read().sample() + r.read().bases()).toList();
        assertEquals(bam, cram);
    }

    @Test
    void theSourceReaderSnapshotsPositionsAndARestoredReaderFinishesTheSplit() throws Exception {
        ReadOptions options = ReadOptions.defaults().withRecordsPerSplit(300);
        List<GenomicsSplit> splits = SplitPlanner.plan(List.of(TestData.demoBam()), options);
        List<String> expected = Reading.all(splits, options).stream().map(Reading::key).toList();

        List<String> got = new ArrayList<>();
        List<GenomicsSplit> snapshot;
        try (GenomicsSourceReader reader = new GenomicsSourceReader(new Context(), options)) {
            reader.start();
            reader.addSplits(splits);
            Collect out = new Collect(got);
            while (got.size() < 450) {
                if (reader.pollNext(out) == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get();
                }
            }
            snapshot = reader.snapshotState(1);
        }
        // Every record emitted before the snapshot is behind the snapshot's positions.
        List<String> emittedBefore = new ArrayList<>(got);
        try (GenomicsSourceReader reader = new GenomicsSourceReader(new Context(), options)) {
            reader.start();
            reader.addSplits(snapshot);
            reader.notifyNoMoreSplits();
            Collect out = new Collect(got);
            InputStatus status;
            while ((status = reader.pollNext(out)) != InputStatus.END_OF_INPUT) {
                if (status == InputStatus.NOTHING_AVAILABLE) {
                    reader.isAvailable().get();
                }
            }
        }
        assertTrue(emittedBefore.size() >= 450);
        assertEquals(expected.size(), got.size(), "no record lost or repeated");
        assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(got));
    }

    /** Collects emitted records. */
    private static final class Collect implements ReaderOutput<SourceRecord> {
        private final List<String> sink;

        Collect(List<String> sink) {
            this.sink = sink;
        }

        @Override
        public void collect(SourceRecord record) {
            sink.add(Reading.key(record));
        }

        @Override
        public void collect(SourceRecord record, long timestamp) {
            collect(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }

        @Override
        public SourceOutput<SourceRecord> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
        }
    }

    /** A reader context that asks for nothing: splits are added by hand. */
    private static final class Context implements SourceReaderContext {
        @Override
        public SourceReaderMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
        }

        @Override
        public Configuration getConfiguration() {
            return new Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return 0;
        }

        @Override
        public void sendSplitRequest() {
        }

        @Override
        public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
        }
    }

    @SuppressWarnings("unused")
    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
