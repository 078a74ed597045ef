package io.scanflow.flink;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.io.InputStatus;

/**
 * Lets a test decide how far a job's source may read: record {@code i} is emitted only once the gate
 * of its run is open past {@code i}. Tests drive progress with it (open to a record count, wait for
 * its output, then act) instead of guessing with sleeps how far a job got. The gated source is
 * Flink's {@code DataGeneratorSource} with its reader wrapped.
 */
public final class SourceGate {
    private static final Map<String, SourceGate> GATES = new ConcurrentHashMap<>();

    private long limit;
    private volatile boolean sourceFinished;
    private CompletableFuture<Void> opened = new CompletableFuture<>();

    private SourceGate() {}

    /** The gate of {@code run}, closed (nothing may be read) until opened. */
    public static SourceGate of(String run) {
        return GATES.computeIfAbsent(run, r -> new SourceGate());
    }

    public static void remove(String run) {
        SourceGate gate = GATES.remove(run);
        if (gate != null) {
            gate.openFully();
        }
    }

    /** Lets the source read records with index below {@code records}. */
    public synchronized void openTo(long records) {
        if (records > limit) {
            limit = records;
            CompletableFuture<Void> waiting = opened;
            opened = new CompletableFuture<>();
            waiting.complete(null);
        }
    }

    /** No limit: the source reads to its end. */
    public void openFully() {
        openTo(Long.MAX_VALUE);
    }

    public synchronized long limit() {
        return limit;
    }

    /** Whether the source has read its last record (in any attempt of the run). */
    public boolean sourceFinished() {
        return sourceFinished;
    }

    private synchronized boolean allows(long index) {
        return index < limit;
    }

    /** A permit for record {@code index}: completes once the gate is open past it. */
    private CompletionStage<Void> permit(long index) {
        CompletableFuture<Void> next;
        synchronized (this) {
            if (index < limit) {
                return CompletableFuture.completedFuture(null);
            }
            next = opened;
        }
        return next.thenCompose(v -> permit(index));
    }

    /** Waits up to {@code timeout} for a condition the gated job must reach; fails the test otherwise. */
    public static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /**
     * A source of {@code count} generated records that reads only as far as {@code run}'s gate allows. Its
     * position is the split's (0 when fresh, where the checkpoint left it when restored) plus the
     * records it has emitted since, so the gate holds across failures, restores and rescaling. One
     * split: run it at parallelism 1.
     */
    public static <T> Source<T, NumberSequenceSplit, Collection<NumberSequenceSplit>> source(
            String run, GeneratorFunction<Long, T> records, long count, TypeInformation<T> type) {
        return new GatedSource<>(run, records, count, type);
    }

    private static final class GatedSource<T> extends DataGeneratorSource<T> {
        private static final long serialVersionUID = 1L;
        private final String run;

        GatedSource(String run, GeneratorFunction<Long, T> records, long count, TypeInformation<T> type) {
            super(records, count, type);
            this.run = run;
        }

        @Override
        public SourceReader<T, NumberSequenceSplit> createReader(SourceReaderContext context) throws Exception {
            return new GatedReader<>(of(run), super.createReader(context));
        }
    }

    private static final class GatedReader<T> implements SourceReader<T, NumberSequenceSplit> {
        private final SourceGate gate;
        private final SourceReader<T, NumberSequenceSplit> reader;
        private final CountingOutput<T> counting = new CountingOutput<>();
        private long next;

        GatedReader(SourceGate gate, SourceReader<T, NumberSequenceSplit> reader) {
            this.gate = gate;
            this.reader = reader;
        }

        @Override
        public void start() {
            reader.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (!gate.allows(next)) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            counting.output = output;
            counting.emitted = 0;
            InputStatus status = reader.pollNext(counting);
            next += counting.emitted;
            if (status == InputStatus.END_OF_INPUT) {
                gate.sourceFinished = true;
            }
            return status;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return gate.permit(next).toCompletableFuture().thenCompose(v -> reader.isAvailable());
        }

        @Override
        public void addSplits(List<NumberSequenceSplit> splits) {
            for (NumberSequenceSplit split : splits) {
                next = split.from();
            }
            reader.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public List<NumberSequenceSplit> snapshotState(long checkpointId) {
            return reader.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            reader.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }

    /** Counts the records a reader emits in one poll. */
    private static final class CountingOutput<T> implements ReaderOutput<T> {
        ReaderOutput<T> output;
        int emitted;

        @Override
        public void collect(T record) {
            emitted++;
            output.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            emitted++;
            output.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            output.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            throw new UnsupportedOperationException("the generator source emits through the reader output");
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            output.releaseOutputForSplit(splitId);
        }
    }
}
