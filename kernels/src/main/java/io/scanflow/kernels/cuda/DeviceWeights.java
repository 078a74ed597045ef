package io.scanflow.kernels.cuda;

import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model's weights on one device, uploaded once per device per JVM and shared by every engine that runs
 * the same model (same fingerprint) there; freed when the last engine lets go.
 */
final class DeviceWeights {
    private record Key(int device, long fingerprint) {}

    private static final Map<Key, DeviceWeights> SHARED = new HashMap<>();

    private final Key key;
    private final Map<String, DeviceBuffer> buffers = new HashMap<>();
    private final long bytes;
    private int users;

    private DeviceWeights(Key key, HostWeights host) {
        this.key = key;
        long total = 0;
        try {
            for (Map.Entry<String, float[]> e : host.tensors.entrySet()) {
                DeviceBuffer b = DeviceBuffer.upload(e.getValue(), "weight " + e.getKey());
                buffers.put(e.getKey(), b);
                total += b.bytes();
            }
        } catch (RuntimeException e) {
            buffers.values().forEach(DeviceBuffer::close);
            throw e;
        }
        this.bytes = total;
    }

    /** The shared copy for this model on this device, uploading it from {@code modelDir} the first time. */
    static DeviceWeights acquire(CudaDevice device, SequenceModel model, Path modelDir) {
        Key key = new Key(device.ordinal(), model.fingerprint());
        synchronized (SHARED) {
            DeviceWeights w = SHARED.get(key);
            if (w == null) {
                Objects.requireNonNull(modelDir, "the CUDA backend reads the weights from the model folder; none given");
                HostWeights host = HostWeights.load(modelDir, model.config());
                host.requireFingerprint(model.fingerprint());
                w = new DeviceWeights(key, host);
                SHARED.put(key, w);
            }
            w.users++;
            return w;
        }
    }

    void release() {
        synchronized (SHARED) {
            if (--users == 0) {
                SHARED.remove(key);
                buffers.values().forEach(DeviceBuffer::close);
                buffers.clear();
            }
        }
    }

    /** Device address of a weight, or 0 when the model has no such tensor (an absent bias). */
    long ptr(String name) {
        DeviceBuffer b = buffers.get(name);
        return b == null ? 0L : b.address();
    }

    long require(String name) {
        DeviceBuffer b = buffers.get(name);
        if (b == null) {
            throw new IllegalStateException("weight " + name + " was not uploaded");
        }
        return b.address();
    }

    long bytes() {
        return bytes;
    }

    /** Engines sharing this copy (for tests). */
    int users() {
        synchronized (SHARED) {
            return users;
        }
    }
}
