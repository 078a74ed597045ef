package io.scanflow.kernels.cpu;

import io.scanflow.model.math.Kernels;
import io.scanflow.model.math.ScalarKernels;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The kernels the CPU backend runs in this JVM. {@link VectorKernels} need the incubating Vector API
 * module, which the JVM only has when started with {@value #VECTOR_FLAG}; without it, touching them throws
 * {@code NoClassDefFoundError: jdk/incubator/vector/Vector}, and a Flink task that did so in {@code open()}
 * was restarted over and over with nothing at the default log level. So without the module the backend runs
 * the scalar reference kernels ({@link ScalarKernels}: same math, several times slower, results equal to
 * the SIMD ones within float rounding) and says so once, naming the flag.
 */
public final class CpuKernels {
    /** The JVM option that makes the Vector API module available. */
    public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final System.Logger LOG = System.getLogger("io.scanflow.kernels");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private CpuKernels() {}

    /** True when this JVM resolved the Vector API module at start-up. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The SIMD kernels where the Vector API is there, otherwise the scalar ones after one warning. */
    public static Kernels forThisJvm() {
        if (vectorApiAvailable()) {
            return VectorKernels.INSTANCE;
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "The Java Vector API module is missing: the CPU backend runs "
                    + "its scalar kernels, several times slower. For the SIMD kernels start the JVM with " + VECTOR_FLAG
                    + " (on a Flink cluster: in env.java.opts.all).");
        }
        return ScalarKernels.INSTANCE;
    }
}
