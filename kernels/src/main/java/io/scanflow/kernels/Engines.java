package io.scanflow.kernels;

import io.scanflow.kernels.cpu.CpuEngine;
import io.scanflow.kernels.cuda.CudaAvailability;
import io.scanflow.kernels.cuda.CudaEngine;
import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the engine for a backend name: {@code cpu}, {@code cuda} or {@code auto}.
 *
 * <p>{@code auto} and {@code cuda} use the GPU when this JVM can (JCuda, a driver, a device, the packaged
 * kernels); otherwise the CPU backend runs and the reason is logged once per JVM (logger
 * {@code io.scanflow.kernels}: INFO for {@code auto}, WARNING for {@code cuda}). With
 * {@code -Dscanflow.cuda.required=true} a {@code cuda} request that cannot be met fails instead.
 */
public final class Engines {
    /** System property: {@code true} makes a {@code cuda} request fail where CUDA cannot run. */
    public static final String REQUIRED_PROPERTY = "scanflow.cuda.required";

    private static final System.Logger LOG = System.getLogger("io.scanflow.kernels");
    private static final AtomicInteger FALLBACK_REPORTS = new AtomicInteger();

    private Engines() {}

    /** Loads the model folder and makes its engine. */
    public static Engine create(Path modelDir, String backend, EngineOptions options) {
        return create(CpuEngine.loadModel(modelDir), modelDir, backend, options);
    }

    /**
     * @param modelDir the folder {@code model} was loaded from: the CUDA backend uploads its weights from
     *                 there (may be null for {@code cpu})
     */
    public static Engine create(SequenceModel model, Path modelDir, String backend, EngineOptions options) {
        String b = backend.toLowerCase(Locale.ROOT);
        switch (b) {
            case "cpu":
                return cpu(model, options);
            case "cuda":
            case "auto": {
                CudaAvailability cuda = CudaAvailability.get();
                if (cuda.available()) {
                    return CudaEngine.create(model, modelDir, options);
                }
                if (b.equals("cuda") && Boolean.getBoolean(REQUIRED_PROPERTY)) {
                    throw new IllegalStateException("the cuda backend was required but " + cuda);
                }
                reportFallback(b, cuda.reason());
                return cpu(model, options);
            }
            default:
                throw new IllegalArgumentException("unknown backend '" + backend + "' (cpu, cuda or auto)");
        }
    }

    /** The backend {@code auto} would choose in this JVM, and why. */
    public static String describeAuto() {
        CudaAvailability cuda = CudaAvailability.get();
        return cuda.available() ? "cuda" : "cpu (" + cuda.reason() + ")";
    }

    /** How often the fallback was logged in this JVM: 0 or 1 (tests pin "once"). */
    static int fallbackReports() {
        return FALLBACK_REPORTS.get();
    }

    private static Engine cpu(SequenceModel model, EngineOptions options) {
        return new CpuEngine(model, options.cpuThreads(), options.chunkLength());
    }

    private static void reportFallback(String requested, String reason) {
        if (FALLBACK_REPORTS.compareAndSet(0, 1)) {
            LOG.log(requested.equals("cuda") ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "CUDA backend not used (" + reason + "); running the CPU backend");
        }
    }
}
