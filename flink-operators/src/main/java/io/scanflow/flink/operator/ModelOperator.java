package io.scanflow.flink.operator;

import io.scanflow.flink.BadRecord;
import io.scanflow.flink.BadRecordException;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.flink.engine.CpuShare;
import io.scanflow.flink.engine.CudaTuningSettings;
import io.scanflow.flink.engine.EngineSettings;
import io.scanflow.flink.engine.Engines;
import io.scanflow.flink.engine.ModelLease;
import io.scanflow.flink.engine.SharedModels;
import io.scanflow.flink.state.KeyState;
import io.scanflow.flink.state.KeyStateSerializer;
import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.io.BadRecordPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed model operator: buffers records into bundles across keys, feeds each bundle to the engine
 * in one call per round (one round unless a key has several pieces in the bundle), and emits each
 * key's outputs in its record order. Subclasses say what a chunk produces (classify, embed, generate).
 *
 * <p>State: a key's model state lives in an engine slot while the key is active and in keyed state
 * ({@link KeyState}) otherwise. Before every barrier the bundle is flushed and dirty slots are
 * written back, so a checkpoint never depends on memory. After a restore a key's slot is loaded on
 * its first use; keys with unfinished work (generation) are found in keyed state and resumed.
 *
 * <p>Determinism: a key's outputs depend only on its records, in order. Bundle boundaries do not
 * matter because every record is fed to the engine as its own request, and the engine computes each
 * request (and each row of a batched step) independently of the others in the call.
 */
abstract class ModelOperator<OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<ScanInput, OUT> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = LoggerFactory.getLogger(ModelOperator.class);

    static final String KEY_STATE = "scanflow-key-state";
    /** Marks keys with work that must resume after a restore without waiting for a record. */
    static final String BUSY_STATE = "scanflow-busy";

    protected final ModelSpec spec;
    protected final ScanOptions options;
    protected final transient MailboxExecutor mailbox;
    private final long seed;

    /** This subtask's hold on the shared model; its folder is resolved once (a URI model lists its remote folder). */
    protected transient ModelLease lease;
    protected transient Engine engine;
    protected transient SlotTable slots;
    protected transient OperatorMetrics metrics;
    private transient BundleBuffer bundle;
    private transient RecordValidator validator;
    private transient ValueState<KeyState> keyState;
    private transient ValueState<Boolean> busyState;
    private transient StreamRecord<OUT> reuse;
    private transient List<KeyEntry> work;
    private transient Round round;
    private transient float[][] outPool;
    private transient int outWidth;
    private transient boolean bundleTimerArmed;
    private transient long lastTrim;
    protected transient boolean closing;
    /** What escaped a timer callback; once set, the operator refuses all further work (see {@link #failStop}). */
    private transient Throwable failure;

    protected ModelOperator(StreamOperatorParameters<OUT> parameters, ModelSpec spec, ScanOptions options, long seed) {
        super(parameters);
        this.mailbox = parameters.getMailboxExecutor();
        this.spec = spec;
        this.options = options;
        this.seed = seed;
    }

    // ---------------------------------------------------------------- what a mode supplies

    /** What each prefill request returns. */
    protected abstract Output outputKind();

    /** Handles a fed piece of record {@code r}; {@code out} is the request's output (pooled: copy to keep). */
    protected abstract void onChunk(KeyEntry e, ScanInput r, long timestamp, float[] out, boolean recordDone)
            throws Exception;

    /** Mode setup in {@link #open()}, after the engine exists and before restored work resumes. */
    protected void openMode() throws Exception {}

    /** Where the piece of {@code r} starting at position {@code from} ends (exclusive). */
    protected int pieceEnd(KeyEntry e, ScanInput r, int from) {
        return rows(r);
    }

    /** Positions in a record: tokens, or feature rows of the model's input width. */
    protected final int rows(ScanInput r) {
        return r.rows(engine.model().inputFeatures());
    }

    /** The tokens fed for a piece. */
    protected int[] pieceTokens(KeyEntry e, ScanInput r, int from, int to) {
        return from == 0 && to == r.tokens().length ? r.tokens() : Arrays.copyOfRange(r.tokens(), from, to);
    }

    /** The feature rows fed for a piece of a feature chunk. */
    private float[] pieceFeatures(ScanInput r, int from, int to) {
        int width = engine.model().inputFeatures();
        float[] f = r.features();
        return from == 0 && to * width == f.length ? f : Arrays.copyOfRange(f, from * width, to * width);
    }

    /** Whether the key's queued records must wait (a generation session runs). */
    protected boolean blocked(KeyEntry e) {
        return false;
    }

    /** Puts an arriving record in its key's queue. */
    protected void enqueue(KeyEntry e, ScanInput r, long timestamp) {
        e.queue.addLast(new KeyState.Queued(r, timestamp));
    }

    /** The key's stream ended (after its last chunk, if the end record had one). */
    protected void onEndOfStream(KeyEntry e, ScanInput r, long timestamp) throws Exception {
        slots.resetStream(e);
    }

    /** A busy key found in keyed state after a restore, already in its slot. */
    protected void onRestored(KeyEntry e) throws Exception {}

    /** End of input: finish what is still running. */
    protected void drainAtEnd() throws Exception {}

    /** Whether demand records ({@link ScanInput#isDemand}) are input for this mode (generation) or bad records. */
    protected boolean acceptsDemand() {
        return false;
    }

    /** Whether the mode leaves keys busy between bundles (and so needs the busy marker state). */
    protected boolean keepsBusyKeys() {
        return false;
    }

    protected long activeSessions() {
        return 0;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void open() throws Exception {
        super.open();
        lease = SharedModels.acquire(spec.directory());
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        engine = spec.engineWrapper().wrap(Engines.create(spec.engine(), lease.model(),
                new EngineSettings(CpuShare.threads(spec.threads(), taskManagerConfiguration(),
                        Runtime.getRuntime().availableProcessors()), spec.chunkLength(), gpus(), subtask, lease.directory(),
                        (int) Math.min(Integer.MAX_VALUE, (long) options.maxCachedKeys() + options.bundleSize()),
                        CudaTuningSettings.resolve(spec, taskManagerConfiguration()))),
                subtask);
        validator = new RecordValidator(engine.model().vocabSize(), engine.model().inputFeatures(), acceptsDemand());
        keyState = getPartitionedState(withTtl(new ValueStateDescriptor<>(KEY_STATE, KeyStateSerializer.INSTANCE)));
        if (keepsBusyKeys()) {
            busyState = getPartitionedState(withTtl(new ValueStateDescriptor<>(BUSY_STATE, BooleanSerializer.INSTANCE)));
        }
        slots = new SlotTable(engine, new KeyedStore(), seed, options.maxCachedKeys());
        bundle = new BundleBuffer(options.bundleSize());
        work = new ArrayList<>();
        round = new Round();
        outWidth = outputKind().width(engine.model());
        outPool = new float[0][];
        reuse = new StreamRecord<>(null);
        metrics = new OperatorMetrics(getMetricGroup(), () -> slots.size(), this::activeSessions,
                () -> slots.lastWriteBackBytes());
        lastTrim = now();
        openMode();
        if (busyState != null) {
            resumeBusyKeys();
        }
    }

    private <T> ValueStateDescriptor<T> withTtl(ValueStateDescriptor<T> d) {
        if (options.stateTtlMillis() > 0) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(options.stateTtlMillis()))
                    .updateTtlOnCreateAndWrite().neverReturnExpired().build());
        }
        return d;
    }

    /** Device indexes from Flink's external resource framework ({@code external-resources: gpu}). */
    private List<String> gpus() {
        List<String> indexes = new ArrayList<>();
        try {
            for (ExternalResourceInfo info : getRuntimeContext().getExternalResourceInfos("gpu")) {
                info.getProperty("index").ifPresent(indexes::add);
            }
        } catch (RuntimeException e) {
            LOGGER.debug("no external resource information for 'gpu'", e);
        }
        return indexes;
    }

    /** The TaskManager's configuration: CPU threads per subtask and task slots ({@link CpuShare}). */
    private org.apache.flink.configuration.Configuration taskManagerConfiguration() {
        return getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration();
    }

    private void resumeBusyKeys() throws Exception {
        List<String> keys;
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(BUSY_STATE, VoidNamespace.INSTANCE)) {
            keys = s.collect(Collectors.toList());
        }
        long now = now();
        for (String key : keys) {
            KeyEntry e = slots.acquire(key, now);
            onRestored(e);
            if (!blocked(e) && !e.queue.isEmpty()) {
                addWork(e);
            }
        }
        if (!keys.isEmpty()) {
            LOGGER.info("{}: resumed {} keys with unfinished work from the restored state", getOperatorName(), keys.size());
        }
        if (!work.isEmpty()) {
            // Emitting belongs in the mailbox loop, not in open().
            mailbox.execute(() -> {
                checkNotFailed();
                runWork();
            }, "scanflow resume restored records");
        }
    }

    @Override
    public void processElement(StreamRecord<ScanInput> element) throws Exception {
        checkNotFailed();
        ScanInput r = element.getValue();
        String key = (String) getCurrentKey();
        metrics.recordsIn.inc();
        BadRecord bad = validator.check(key, r);
        if (bad != null) {
            reject(bad, element);
            return;
        }
        long now = now();
        bundle.add(key, r, element.hasTimestamp() ? element.getTimestamp() : BundleBuffer.NO_TIMESTAMP, now);
        if (bundle.size() >= options.bundleSize()) {
            flush();
        } else if (!bundleTimerArmed) {
            armBundleTimer(bundle.firstArrival() + options.bundleTimeoutMillis());
        }
    }

    private void reject(BadRecord bad, StreamRecord<ScanInput> element) {
        metrics.badRecords.inc();
        if (options.badRecords() == BadRecordPolicy.FAIL) {
            // The same record fails every restart: restarting only delays the one-line answer.
            throw new SuppressRestartsException(new BadRecordException(bad));
        }
        if (options.badRecords() == BadRecordPolicy.SKIP) {
            return; // counted above, as the policy says
        }
        output.collect(ScanOperators.BAD_RECORDS,
                element.hasTimestamp() ? new StreamRecord<>(bad, element.getTimestamp()) : new StreamRecord<>(bad));
    }

    private void armBundleTimer(long at) {
        bundleTimerArmed = true;
        getProcessingTimeService().registerTimer(at, failStop(this::onBundleTimer));
    }

    private void onBundleTimer(long time) throws Exception {
        bundleTimerArmed = false;
        if (closing || bundle.isEmpty()) {
            return;
        }
        long due = bundle.firstArrival() + options.bundleTimeoutMillis();
        if (now() >= due) {
            flush();
        } else {
            armBundleTimer(due);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        checkNotFailed();
        // Records buffered behind the watermark would otherwise come out late.
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        checkNotFailed();
        flush();
        slots.writeBackAll();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        checkNotFailed();
        if (!bundle.isEmpty()) {
            throw new IllegalStateException("the bundle holds " + bundle.size()
                    + " records at a snapshot: prepareSnapshotPreBarrier must flush it before the barrier");
        }
        // A no-op after prepareSnapshotPreBarrier; keeps direct snapshots (tests, savepoint tools) complete.
        slots.writeBackAll();
        super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
        checkNotFailed();
        flush();
        drainAtEnd();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        closing = true;
        try {
            if (slots != null) {
                slots.clear();
            }
            if (engine != null) {
                engine.close();
            }
        } finally {
            if (lease != null) {
                lease.close();
            }
            super.close();
        }
    }

    // ---------------------------------------------------------------- bundles and rounds

    /** Runs the buffered bundle (and any work waiting for its turn) through the engine. */
    protected final void flush() throws Exception {
        int n = bundle.size();
        if (n > 0) {
            metrics.bundleSize.update(n);
            long now = now();
            for (int i = 0; i < n; i++) {
                KeyEntry e = slots.acquire(bundle.key(i), now);
                enqueue(e, bundle.record(i), bundle.timestamp(i));
                e.dirty = true;
                addWork(e);
            }
            bundle.clear();
        }
        runWork();
    }

    protected final void addWork(KeyEntry e) {
        if (!e.inWork) {
            e.inWork = true;
            work.add(e);
        }
    }

    /** Rounds until no key in the work list has a piece it may run. */
    protected final void runWork() throws Exception {
        while (!work.isEmpty()) {
            planRound();
            if (round.size == 0) {
                break;
            }
            execute();
        }
        maybeTrim();
    }

    private void planRound() {
        round.clear();
        int kept = 0;
        for (int i = 0; i < work.size(); i++) {
            KeyEntry e = work.get(i);
            KeyState.Queued head = e.queue.peekFirst();
            if (head == null || blocked(e)) {
                e.inWork = false;
                continue;
            }
            work.set(kept++, e);
            ScanInput r = head.record();
            if (rows(r) == 0) {
                round.add(e, r, head.timestamp(), 0, null, null);
            } else if (r.features() != null) {
                int to = pieceEnd(e, r, e.cursor);
                round.add(e, r, head.timestamp(), to, null, pieceFeatures(r, e.cursor, to));
            } else {
                int to = pieceEnd(e, r, e.cursor);
                round.add(e, r, head.timestamp(), to, pieceTokens(e, r, e.cursor, to), null);
            }
        }
        work.subList(kept, work.size()).clear();
    }

    private void execute() throws Exception {
        int requests = round.requests;
        float[][] outs = null;
        if (requests > 0) {
            int[] slotIds = new int[requests];
            // A model takes tokens or feature rows, never both (the validator rejects the other kind).
            boolean featureModel = engine.model().inputFeatures() > 0;
            int[][] tokens = featureModel ? null : new int[requests][];
            float[][] features = featureModel ? new float[requests][] : null;
            outs = outputs(requests);
            long fed = 0;
            for (int i = 0, c = 0; i < round.size; i++) {
                if (round.fed(i)) {
                    slotIds[c] = round.entries[i].slot;
                    if (featureModel) {
                        features[c++] = round.features[i];
                    } else {
                        tokens[c++] = round.tokens[i];
                    }
                    fed += round.to[i] - round.entries[i].cursor;
                }
            }
            long t0 = System.nanoTime();
            try {
                if (featureModel) {
                    engine.prefillFeatures(slotIds, features, outputKind(), outs);
                } else {
                    engine.prefill(slotIds, tokens, outputKind(), outs);
                }
            } catch (RuntimeException ex) {
                throw engineFailure("prefill", round.entries, round.size, ex);
            }
            metrics.engineLatencyMicros.update((System.nanoTime() - t0) / 1000);
            metrics.tokens.inc(fed);
        }
        for (int i = 0, c = 0; i < round.size; i++) {
            KeyEntry e = round.entries[i];
            ScanInput r = round.records[i];
            long ts = round.timestamps[i];
            boolean fedPiece = round.fed(i);
            boolean recordDone = round.to[i] == rows(r);
            if (recordDone) {
                e.queue.pollFirst();
                e.cursor = 0;
                e.records++;
            } else {
                e.cursor = round.to[i];
            }
            e.dirty = true;
            if (fedPiece) {
                e.hasState = true;
                onChunk(e, r, ts, outs[c++], recordDone);
            }
            if (recordDone && r.endOfStream()) {
                onEndOfStream(e, r, ts);
            }
        }
    }

    /** Output buffers for {@code n} requests, reused across rounds; a mode copies what it keeps. */
    private float[][] outputs(int n) {
        if (outWidth == 0) {
            return null;
        }
        if (outPool.length < n) {
            int old = outPool.length;
            outPool = Arrays.copyOf(outPool, Math.max(n, old * 2));
            for (int i = old; i < outPool.length; i++) {
                outPool[i] = new float[outWidth];
            }
        }
        return outPool.length == n ? outPool : Arrays.copyOf(outPool, n);
    }

    private void maybeTrim() throws Exception {
        long now = now();
        long ttl = options.stateTtlMillis();
        if (slots.size() > options.maxCachedKeys() || (ttl > 0 && now - lastTrim >= Math.max(1, ttl / 4))) {
            slots.trim(now, ttl);
            lastTrim = now;
        }
    }

    // ---------------------------------------------------------------- failing for good

    /**
     * A processing-time callback after whose failure the operator refuses all work. Flink does not fail
     * the task where a timer throws: it hands the exception to the task asynchronously, and until the
     * task is cancelled its mailbox goes on with records, other timers and checkpoint barriers. A round
     * that threw midway leaves keys torn (slots fed, records not yet taken off their queues, a session
     * not yet started), and a checkpoint completed in that window would restore them torn: records lost
     * or fed twice. So once a callback fails, every later entry point throws, and no snapshot is taken.
     */
    protected final ProcessingTimeCallback failStop(ProcessingTimeCallback callback) {
        return time -> {
            checkNotFailed();
            try {
                callback.onProcessingTime(time);
            } catch (Throwable t) {
                failure = t;
                throw t;
            }
        };
    }

    /** Throws if a timer callback failed earlier (see {@link #failStop}). */
    protected final void checkNotFailed() {
        if (failure != null) {
            throw new IllegalStateException(getOperatorName() + " stopped after a failure in a timer; its keys may be"
                    + " half way through a round, so it takes no more records and no snapshot: " + failure, failure);
        }
    }

    // ---------------------------------------------------------------- helpers for modes

    protected final void emit(OUT value, long timestamp) {
        if (timestamp == BundleBuffer.NO_TIMESTAMP) {
            reuse.replace(value);
            reuse.eraseTimestamp();
        } else {
            reuse.replace(value, timestamp);
        }
        output.collect(reuse);
        metrics.recordsOut.inc();
    }

    /**
     * An engine call that failed, with what it was asked: the task fails, Flink restarts it from the last
     * completed checkpoint, and the keys' state and output come back as of that checkpoint.
     */
    protected final IllegalStateException engineFailure(String call, KeyEntry[] keys, int count, RuntimeException cause) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < Math.min(count, 5); i++) {
            names.append(i == 0 ? "" : ", ").append('\'').append(keys[i].key).append('\'');
        }
        if (count > 5) {
            names.append(", ... (").append(count).append(" keys)");
        }
        return new IllegalStateException(getOperatorName() + " (subtask "
                + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + "): the " + engine.backend()
                + " engine failed in " + call + " for keys " + names + ": " + cause.getMessage()
                + " (the job restarts from its last checkpoint; no output after it was committed)", cause);
    }

    protected final long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    /** Keyed state of one key at a time, through the backend's current key. */
    private final class KeyedStore implements SlotTable.Store {
        @Override
        public KeyState read(String key) throws Exception {
            setCurrentKey(key);
            return keyState.value();
        }

        @Override
        public void write(String key, KeyState state, boolean busy) throws Exception {
            setCurrentKey(key);
            keyState.update(state);
            if (busyState != null) {
                if (busy) {
                    busyState.update(Boolean.TRUE);
                } else {
                    busyState.clear();
                }
            }
        }

        @Override
        public void clear(String key) throws Exception {
            setCurrentKey(key);
            keyState.clear();
            if (busyState != null) {
                busyState.clear();
            }
        }
    }
}
