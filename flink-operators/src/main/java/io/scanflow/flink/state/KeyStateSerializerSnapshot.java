package io.scanflow.flink.state;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/**
 * The snapshot of {@link KeyStateSerializer} stored in checkpoints and savepoints. The serializer has
 * no configuration and reads every value format it ever wrote (each value carries its version), so
 * a restored snapshot is always compatible as is.
 */
public final class KeyStateSerializerSnapshot extends SimpleTypeSerializerSnapshot<KeyState> {
    /** For Flink, which reads snapshots back through this constructor. */
    public KeyStateSerializerSnapshot() {
        super(() -> KeyStateSerializer.INSTANCE);
    }
}
