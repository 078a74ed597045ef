package io.scanflow.flink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import io.scanflow.flink.faults.Faults;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A two-phase-commit sink into a shared in-JVM map: lines become visible only when the checkpoint
 * that holds them completes. A batch is committed under its id, so a commit retried after a restore
 * changes nothing: what the map holds is the job's exactly-once output. Sinks are named
 * {@code run/stream}; a test gives every run a unique id and forgets it at the end, so nothing is kept
 * across tests or attempts. Writes and commits are {@link Faults} sites of the run.
 */
public final class CommittingCollectSink implements Sink<String>, SupportsCommitter<CommittingCollectSink.Batch> {
    private static final long serialVersionUID = 1L;

    private static final Map<String, Map<String, Committed>> COMMITTED = new ConcurrentHashMap<>();
    private static final AtomicLong COMMIT_ORDER = new AtomicLong();

    private final String run;
    private final String name;

    public CommittingCollectSink(String run, String stream) {
        this.run = run;
        this.name = run + "/" + stream;
    }

    /** The lines of one writer between two checkpoints. */
    public record Batch(String id, List<String> lines) {}

    private record Committed(long order, List<String> lines) {}

    /** Every committed line of sink {@code run/stream}, batches in commit order (a key's order is kept). */
    public static List<String> committed(String run, String stream) {
        return committed(run + "/" + stream);
    }

    /** The number of committed lines of sink {@code run/stream}. */
    public static int count(String run, String stream) {
        int n = 0;
        for (Committed c : COMMITTED.getOrDefault(run + "/" + stream, Map.of()).values()) {
            n += c.lines().size();
        }
        return n;
    }

    /** Waits until sink {@code run/stream} has committed at least {@code lines} lines. */
    public static void awaitCount(String run, String stream, int lines, Duration timeout) throws InterruptedException {
        SourceGate.await(lines + " committed lines in " + run + "/" + stream + " (have " + count(run, stream) + ")",
                timeout, () -> count(run, stream) >= lines);
    }

    /** Drops what the sinks of {@code run} committed. */
    public static void forget(String run) {
        COMMITTED.keySet().removeIf(name -> name.startsWith(run + "/"));
    }

    private static List<String> committed(String name) {
        List<Committed> batches = new ArrayList<>(COMMITTED.getOrDefault(name, Map.of()).values());
        batches.sort(Comparator.comparingLong(Committed::order));
        List<String> lines = new ArrayList<>();
        for (Committed c : batches) {
            lines.addAll(c.lines());
        }
        return lines;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        return new Writer(run);
    }

    @Override
    public Committer<Batch> createCommitter(CommitterInitContext context) {
        return new BatchCommitter(run, name);
    }

    @Override
    public SimpleVersionedSerializer<Batch> getCommittableSerializer() {
        return new BatchSerializer();
    }

    private static final class Writer implements CommittingSinkWriter<String, Batch> {
        private final String run;
        private List<String> pending = new ArrayList<>();

        Writer(String run) {
            this.run = run;
        }

        @Override
        public void write(String element, Context context) {
            Faults.hit(run, Faults.Site.SINK_WRITE);
            pending.add(element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public Collection<Batch> prepareCommit() {
            if (pending.isEmpty()) {
                return List.of();
            }
            Batch b = new Batch(UUID.randomUUID().toString(), pending);
            pending = new ArrayList<>();
            return List.of(b);
        }

        @Override
        public void close() {}
    }

    private static final class BatchCommitter implements Committer<Batch> {
        private final String run;
        private final String name;

        BatchCommitter(String run, String name) {
            this.run = run;
            this.name = name;
        }

        @Override
        public void commit(Collection<CommitRequest<Batch>> requests) {
            if (!requests.isEmpty()) {
                Faults.hit(run, Faults.Site.SINK_COMMIT);
            }
            Map<String, Committed> target = COMMITTED.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
            for (CommitRequest<Batch> r : requests) {
                Batch b = r.getCommittable();
                target.computeIfAbsent(b.id(), id -> new Committed(COMMIT_ORDER.incrementAndGet(), b.lines()));
            }
        }

        @Override
        public void close() {}
    }

    private static final class BatchSerializer implements SimpleVersionedSerializer<Batch> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Batch b) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256);
            out.writeUTF(b.id());
            out.writeInt(b.lines().size());
            for (String l : b.lines()) {
                out.writeUTF(l);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public Batch deserialize(int version, byte[] bytes) throws IOException {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            String id = in.readUTF();
            int n = in.readInt();
            List<String> lines = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                lines.add(in.readUTF());
            }
            return new Batch(id, lines);
        }
    }
}
