package io.scanflow.flink.faults;

import io.scanflow.flink.SourceGate;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * A pass-through map where armed {@link Faults} fire: on a record, and optionally in its snapshot
 * and in its checkpoint-complete notification. Chained in front of a sink, a failing notification
 * lands between a checkpoint's completion and the sink's commit.
 */
public final class FaultPoint<T> implements MapFunction<T, T>, CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    private final String run;
    private final Faults.Site site;
    private final boolean checkpointFaults;

    /** {@code checkpointFaults}: this point also hosts the snapshot and notification sites. */
    public FaultPoint(String run, Faults.Site site, boolean checkpointFaults) {
        this.run = run;
        this.site = site;
        this.checkpointFaults = checkpointFaults;
    }

    @Override
    public T map(T value) {
        Faults.hit(run, site);
        return value;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        if (checkpointFaults) {
            Faults.hit(run, Faults.Site.SNAPSHOT);
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (checkpointFaults) {
            Faults.of(run).checkpointCompleted(checkpointId);
            Faults.hit(run, Faults.Site.CHECKPOINT_NOTIFICATION);
            if (SourceGate.of(run).sourceFinished()) {
                Faults.hit(run, Faults.Site.FINAL_CHECKPOINT_NOTIFICATION);
            }
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        if (context.isRestored()) {
            Faults.of(run).restored();
        }
    }
}
