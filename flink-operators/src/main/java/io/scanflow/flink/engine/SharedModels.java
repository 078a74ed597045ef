package io.scanflow.flink.engine;

import io.scanflow.model.SequenceModel;
import io.scanflow.kernels.cpu.CpuEngine;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The models loaded in this JVM, shared by every subtask (slot) that runs them and reference counted:
 * the first lease loads a model folder, the last release drops it. Models are immutable and
 * thread-safe; each subtask puts its own engine over the shared one.
 *
 * <p>The registry lives in this class's class loader: with the ScanFlow jar in the job jar, slots of
 * the same job share; with it in Flink's {@code lib/}, every job on the TaskManager shares.
 */
public final class SharedModels {
    private static final Map<Path, Entry> MODELS = new HashMap<>();
    private static Function<Path, SequenceModel> loader = CpuEngine::loadModel;

    private SharedModels() {}

    private static final class Entry {
        final SequenceModel model;
        int leases;

        Entry(SequenceModel model) {
            this.model = model;
        }
    }

    /** A lease on the model in {@code directory}, loading it if no lease holds it. */
    public static ModelLease acquire(Path directory) {
        Path key = directory.toAbsolutePath().normalize();
        synchronized (MODELS) {
            Entry e = MODELS.get(key);
            if (e == null) {
                // Loading under the lock: other subtasks of the same model wait for it instead of loading twice.
                e = new Entry(loader.apply(key));
                MODELS.put(key, e);
            }
            e.leases++;
            return new ModelLease(key, e.model);
        }
    }

    static void release(Path key) {
        synchronized (MODELS) {
            Entry e = MODELS.get(key);
            if (e != null && --e.leases == 0) {
                MODELS.remove(key);
            }
        }
    }

    /** Leases held on the model in {@code directory} (0 when it is not loaded). */
    public static int leases(Path directory) {
        synchronized (MODELS) {
            Entry e = MODELS.get(directory.toAbsolutePath().normalize());
            return e == null ? 0 : e.leases;
        }
    }

    /** Replaces the loader (tests count loads with it); returns the previous one. */
    static Function<Path, SequenceModel> setLoader(Function<Path, SequenceModel> newLoader) {
        synchronized (MODELS) {
            Function<Path, SequenceModel> old = loader;
            loader = newLoader;
            return old;
        }
    }
}
