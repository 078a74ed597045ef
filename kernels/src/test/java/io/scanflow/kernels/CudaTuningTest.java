package io.scanflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CUDA options' text form: every key parses, bad keys and values are named in the error. */
class CudaTuningTest {

    @Test
    void everyKeyParsesAndTheTextFormRoundTrips() {
        Map<String, String> settings = Map.of("gemm", "FFMA", "gemm-big-tile", "tf32x3_nt_128_v2", "scan", "sequential",
                "scan-segment", "8", "device-generate", "false", "generate-kernel", "l2-512", "generate-shaped", "false",
                "sync-each-launch", "true");
        CudaTuning t = CudaTuning.defaults().with(settings);
        assertEquals(new CudaTuning(CudaTuning.Gemm.FFMA, "tf32x3_nt_128_v2", CudaTuning.ScanSplit.SEQUENTIAL, 8, false,
                CudaTuning.GenerateKernel.L2_512, false, true), t);
        assertEquals(CudaTuning.KEYS.size(), settings.size());
        CudaTuning again = CudaTuning.defaults();
        for (String pair : t.toString().split(",")) {
            String[] kv = pair.split("=", 2);
            again = again.with(kv[0], kv[1]);
        }
        assertEquals(t, again);
    }

    @Test
    void defaultsAreTheShippedPaths() {
        CudaTuning d = EngineOptions.defaults().cuda();
        assertEquals("gemm=tf32x3,gemm-big-tile=tf32x3_nt_128,scan=auto,scan-segment=0,device-generate=true,"
                + "generate-kernel=auto,generate-shaped=true,sync-each-launch=false", d.toString());
    }

    @Test
    void badKeysAndValuesAreNamed() {
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> CudaTuning.defaults().with("gemmBig", "x"));
        assertTrue(key.getMessage().contains("'gemmBig'") && key.getMessage().contains("gemm-big-tile"), key.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                () -> CudaTuning.defaults().with("generate-kernel", "fast"));
        assertEquals("CUDA option generate-kernel: 'fast' is not valid (expected one of auto, smem, l2, l2-512)",
                value.getMessage());
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class,
                () -> CudaTuning.defaults().with("device-generate", "off"));
        assertTrue(bool.getMessage().contains("'off'") && bool.getMessage().contains("true or false"), bool.getMessage());
        IllegalArgumentException segment = assertThrows(IllegalArgumentException.class,
                () -> CudaTuning.defaults().with("scan-segment", "-8"));
        assertTrue(segment.getMessage().contains("scan-segment: '-8'"), segment.getMessage());
    }
}
