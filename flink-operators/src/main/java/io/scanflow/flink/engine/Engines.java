package io.scanflow.flink.engine;

import io.scanflow.flink.EngineChoice;
import io.scanflow.kernels.Engine;
import io.scanflow.model.SequenceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns {@code cpu | cuda | auto} into an engine, from the providers on the class path. */
public final class Engines {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
    /** The CPU fallback is said once per JVM, not once per subtask. */
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();
    private static final AtomicBoolean FEATURES_LOGGED = new AtomicBoolean();

    private Engines() {}

    /** The engine for {@code choice} from the providers on the class path. */
    public static Engine create(EngineChoice choice, SequenceModel model, EngineSettings settings) {
        return create(choice, model, settings, providers());
    }

    static Engine create(EngineChoice choice, SequenceModel model, EngineSettings settings,
                         List<EngineProvider> providers) {
        return resolve(choice, model, providers).create(model, settings);
    }

    /**
     * {@link #resolve(EngineChoice, List)} for {@code model}: {@code auto} takes the CPU for a model the CUDA
     * backend does not run, {@code cuda} throws for one.
     */
    public static EngineProvider resolve(EngineChoice choice, SequenceModel model, List<EngineProvider> providers) {
        EngineProvider p = resolve(choice, providers);
        if (p.supports(model)) {
            return p;
        }
        String why = "the " + p.backend() + " backend does not run feature-input models (this one takes "
                + model.inputFeatures() + " features per frame)";
        if (choice == EngineChoice.CUDA) {
            throw new IllegalStateException("engine 'cuda' was asked for, but " + why + "; choose engine 'cpu' or 'auto'");
        }
        if (FEATURES_LOGGED.compareAndSet(false, true)) {
            LOG.info("engine 'auto': {}; running the model on the CPU engine", why);
        }
        return cpu(providers);
    }

    /** The provider a choice selects among {@code providers}; throws when {@code cuda} cannot be met. */
    public static EngineProvider resolve(EngineChoice choice, List<EngineProvider> providers) {
        EngineProvider cuda = find(providers, "cuda");
        switch (choice) {
            case CPU:
                return cpu(providers);
            case CUDA:
                if (cuda == null) {
                    throw new IllegalStateException("engine 'cuda' was asked for, but no CUDA backend is on the class"
                            + " path (no EngineProvider for 'cuda' found); add the CUDA kernels jar or choose engine 'cpu'");
                }
                if (!cuda.isAvailable()) {
                    throw new IllegalStateException("engine 'cuda' was asked for, but the CUDA backend reports no usable"
                            + " driver or device on this TaskManager; choose engine 'cpu' or 'auto'");
                }
                return cuda;
            default:
                if (cuda != null && cuda.isAvailable()) {
                    return cuda;
                }
                if (FALLBACK_LOGGED.compareAndSet(false, true)) {
                    LOG.info("engine 'auto': {}; running the model on the CPU engine",
                            cuda == null ? "no CUDA backend on the class path" : "the CUDA backend is not usable here");
                }
                return cpu(providers);
        }
    }

    /** The engine providers this class loader finds ({@code META-INF/services}). */
    public static List<EngineProvider> providers() {
        List<EngineProvider> found = new ArrayList<>();
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader())) {
            found.add(p);
        }
        return found;
    }

    private static EngineProvider cpu(List<EngineProvider> providers) {
        EngineProvider cpu = find(providers, "cpu");
        return cpu != null ? cpu : new CpuEngineProvider();
    }

    private static EngineProvider find(List<EngineProvider> providers, String backend) {
        for (EngineProvider p : providers) {
            if (p.backend().equals(backend)) {
                return p;
            }
        }
        return null;
    }
}
