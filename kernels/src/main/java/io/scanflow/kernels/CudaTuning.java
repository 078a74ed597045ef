package io.scanflow.kernels;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the CUDA backend computes where it has more than one way. Every choice gives results within the
 * parity bounds of docs/cuda.md (the {@code generate} variants give identical tokens); the defaults are the
 * fastest measured. The CPU backend ignores these.
 *
 * <p>Outside Java the options are {@code key=value} pairs ({@link #with(String, String)}): the command
 * line's {@code --cuda KEY=VALUE} and the TaskManager option {@code scanflow.cuda.tuning}.
 *
 * @param gemm           {@value #GEMM}: dense layers of more than 8 rows on tensor cores with the 3xTF32 split
 *                       ({@code tf32x3}, default) or on float32 FFMA tiles ({@code ffma})
 * @param gemmBigTile    {@value #GEMM_BIG_TILE}: the kernel for the 128 x 128 3xTF32 tile, for sweeps over
 *                       variants built into the fatbin (default {@value #DEFAULT_BIG_TILE})
 * @param scan           {@value #SCAN}: the Mamba-1 prefill scan splits time into segments when a pass has
 *                       too few requests to fill the GPU ({@code auto}, default), or never ({@code sequential})
 * @param scanSegment    {@value #SCAN_SEGMENT}: with {@code auto}, segments of this many tokens whatever the
 *                       shape (tests of the split); 0 (default) lets the shape decide
 * @param deviceGenerate {@value #DEVICE_GENERATE}: {@code generate} as one on-device launch for Mamba-1 models
 *                       within its limits (default true); false loops over batched steps
 * @param generateKernel {@value #GENERATE_KERNEL}: the on-device {@code generate} kernel variant
 * @param generateShaped {@value #GENERATE_SHAPED}: models of the shape a {@code generate} build has compiled in
 *                       take that build (default true); false keeps them on the generic build
 * @param syncEachLaunch {@value #SYNC_EACH_LAUNCH}: wait for every kernel, so that a fault names the kernel
 *                       that caused it (debugging; default false)
 */
public record CudaTuning(Gemm gemm, String gemmBigTile, ScanSplit scan, int scanSegment, boolean deviceGenerate,
                         GenerateKernel generateKernel, boolean generateShaped, boolean syncEachLaunch)
        implements Serializable {
    /** Key of {@link #gemm}. */
    public static final String GEMM = "gemm";
    /** Key of {@link #gemmBigTile}. */
    public static final String GEMM_BIG_TILE = "gemm-big-tile";
    /** Key of {@link #scan}. */
    public static final String SCAN = "scan";
    /** Key of {@link #scanSegment}. */
    public static final String SCAN_SEGMENT = "scan-segment";
    /** Key of {@link #deviceGenerate}. */
    public static final String DEVICE_GENERATE = "device-generate";
    /** Key of {@link #generateKernel}. */
    public static final String GENERATE_KERNEL = "generate-kernel";
    /** Key of {@link #generateShaped}. */
    public static final String GENERATE_SHAPED = "generate-shaped";
    /** Key of {@link #syncEachLaunch}. */
    public static final String SYNC_EACH_LAUNCH = "sync-each-launch";
    /** Every key {@link #with(String, String)} takes. */
    public static final List<String> KEYS = List.of(GEMM, GEMM_BIG_TILE, SCAN, SCAN_SEGMENT, DEVICE_GENERATE,
            GENERATE_KERNEL, GENERATE_SHAPED, SYNC_EACH_LAUNCH);
    /** The 128 x 128 3xTF32 tile kernel the backend ships with. */
    public static final String DEFAULT_BIG_TILE = "tf32x3_nt_128";

    private static final long serialVersionUID = 1L;

    /** How dense layers with more than 8 rows are computed (up to 8 rows: a warp-per-column FFMA kernel). */
    public enum Gemm {
        /** Plain float32 FFMA tiles (half the 3xTF32 rate). */
        FFMA,
        /** Tensor cores with the 3xTF32 split (~2^-21 relative error per product); the default. */
        TF32X3;
    }

    /** Whether the Mamba-1 prefill scan may split a pass's time axis into segments. */
    public enum ScanSplit {
        /** Split when the pass has less than half a wave of threads (few requests); the default. */
        AUTO,
        /** One segment, one launch, always. */
        SEQUENTIAL;
    }

    /** The on-device {@code generate} kernel (all variants give identical tokens, states and random states). */
    public enum GenerateKernel {
        /** {@link #SMEM} while its slot group and staged weights fit the device's shared memory, else {@link #L2}. */
        AUTO,
        /** One 512-thread block per SM, dense weights staged in shared memory ahead of each phase. */
        SMEM,
        /** Two 256-thread blocks per SM, weights read from L2. */
        L2,
        /** The {@link #L2} code in one 512-thread block per SM (for comparisons). */
        L2_512;
    }

    /** Checks the values. */
    public CudaTuning {
        Objects.requireNonNull(gemm, GEMM);
        Objects.requireNonNull(gemmBigTile, GEMM_BIG_TILE);
        Objects.requireNonNull(scan, SCAN);
        Objects.requireNonNull(generateKernel, GENERATE_KERNEL);
        if (scanSegment < 0) {
            throw new IllegalArgumentException(SCAN_SEGMENT + " must be 0 (by shape) or a token count, found " + scanSegment);
        }
    }

    /** tf32x3, the shipped big tile, scan auto, generate on the device with the auto kernel and shaped builds. */
    public static CudaTuning defaults() {
        return new CudaTuning(Gemm.TF32X3, DEFAULT_BIG_TILE, ScanSplit.AUTO, 0, true, GenerateKernel.AUTO, true, false);
    }

    /** These options with {@code gemm = v}. */
    public CudaTuning withGemm(Gemm v) {
        return new CudaTuning(v, gemmBigTile, scan, scanSegment, deviceGenerate, generateKernel, generateShaped,
                syncEachLaunch);
    }

    /** These options with {@code gemmBigTile = v}. */
    public CudaTuning withGemmBigTile(String v) {
        return new CudaTuning(gemm, v, scan, scanSegment, deviceGenerate, generateKernel, generateShaped, syncEachLaunch);
    }

    /** These options with {@code scan = v}. */
    public CudaTuning withScan(ScanSplit v) {
        return new CudaTuning(gemm, gemmBigTile, v, scanSegment, deviceGenerate, generateKernel, generateShaped,
                syncEachLaunch);
    }

    /** These options with {@code scanSegment = v}. */
    public CudaTuning withScanSegment(int v) {
        return new CudaTuning(gemm, gemmBigTile, scan, v, deviceGenerate, generateKernel, generateShaped, syncEachLaunch);
    }

    /** These options with {@code deviceGenerate = v}. */
    public CudaTuning withDeviceGenerate(boolean v) {
        return new CudaTuning(gemm, gemmBigTile, scan, scanSegment, v, generateKernel, generateShaped, syncEachLaunch);
    }

    /** These options with {@code generateKernel = v}. */
    public CudaTuning withGenerateKernel(GenerateKernel v) {
        return new CudaTuning(gemm, gemmBigTile, scan, scanSegment, deviceGenerate, v, generateShaped, syncEachLaunch);
    }

    /** These options with {@code generateShaped = v}. */
    public CudaTuning withGenerateShaped(boolean v) {
        return new CudaTuning(gemm, gemmBigTile, scan, scanSegment, deviceGenerate, generateKernel, v, syncEachLaunch);
    }

    /** These options with {@code syncEachLaunch = v}. */
    public CudaTuning withSyncEachLaunch(boolean v) {
        return new CudaTuning(gemm, gemmBigTile, scan, scanSegment, deviceGenerate, generateKernel, generateShaped, v);
    }

    /** These options with every {@code key=value} of {@code settings} applied in turn (null: none). */
    public CudaTuning with(Map<String, String> settings) {
        CudaTuning t = this;
        if (settings != null) {
            for (Map.Entry<String, String> s : settings.entrySet()) {
                t = t.with(s.getKey(), s.getValue());
            }
        }
        return t;
    }

    /**
     * These options with the one named by {@code key} (one of {@link #KEYS}) set from its text form; an
     * unknown key or a value the option does not take throws, naming both.
     */
    public CudaTuning with(String key, String value) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        String v = value.trim();
        switch (k) {
            case GEMM:
                return withGemm(parse(Gemm.values(), k, v));
            case GEMM_BIG_TILE:
                if (v.isEmpty()) {
                    throw invalid(k, v, "a kernel name");
                }
                return withGemmBigTile(v);
            case SCAN:
                return withScan(parse(ScanSplit.values(), k, v));
            case SCAN_SEGMENT:
                try {
                    return withScanSegment(Integer.parseInt(v));
                } catch (IllegalArgumentException e) {
                    throw invalid(k, v, "0 or a positive token count");
                }
            case DEVICE_GENERATE:
                return withDeviceGenerate(parseBoolean(k, v));
            case GENERATE_KERNEL:
                return withGenerateKernel(parse(GenerateKernel.values(), k, v));
            case GENERATE_SHAPED:
                return withGenerateShaped(parseBoolean(k, v));
            case SYNC_EACH_LAUNCH:
                return withSyncEachLaunch(parseBoolean(k, v));
            default:
                throw new IllegalArgumentException("unknown CUDA option '" + key + "' (known: " + String.join(", ", KEYS) + ")");
        }
    }

    /** The options as {@code key=value} pairs, comma-separated, in {@link #KEYS} order. */
    @Override
    public String toString() {
        return GEMM + "=" + text(gemm) + "," + GEMM_BIG_TILE + "=" + gemmBigTile + "," + SCAN + "=" + text(scan) + ","
                + SCAN_SEGMENT + "=" + scanSegment + "," + DEVICE_GENERATE + "=" + deviceGenerate + ","
                + GENERATE_KERNEL + "=" + text(generateKernel) + "," + GENERATE_SHAPED + "=" + generateShaped + ","
                + SYNC_EACH_LAUNCH + "=" + syncEachLaunch;
    }

    /** The text form of a choice: its name in lower case, {@code _} as {@code -} ({@code L2_512}: {@code l2-512}). */
    public static String text(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E parse(E[] values, String key, String value) {
        StringBuilder allowed = new StringBuilder();
        for (E e : values) {
            if (text(e).equalsIgnoreCase(value)) {
                return e;
            }
            allowed.append(allowed.length() == 0 ? "" : ", ").append(text(e));
        }
        throw invalid(key, value, "one of " + allowed);
    }

    private static boolean parseBoolean(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw invalid(key, value, "true or false");
    }

    private static IllegalArgumentException invalid(String key, String value, String allowed) {
        return new IllegalArgumentException("CUDA option " + key + ": '" + value + "' is not valid (expected " + allowed + ")");
    }
}
