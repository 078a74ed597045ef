package io.scanflow.flink.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.ModelSpec;
import io.scanflow.kernels.CudaTuning;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class CudaTuningSettingsTest {
    private static final ModelSpec SPEC = ModelSpec.of(Path.of("model"));

    @Test
    void withNothingSetTheEngineGetsTheDefaults() {
        assertEquals(CudaTuning.defaults(), CudaTuningSettings.resolve(SPEC, new Configuration()));
    }

    @Test
    void theTaskManagerSettingAppliesAndTheJobWinsKeyByKey() {
        // As config.yaml writes it.
        Configuration tm = Configuration.fromMap(Map.of("scanflow.cuda.tuning", "gemm:ffma,scan:sequential"));
        CudaTuning cluster = CudaTuningSettings.resolve(SPEC, tm);
        assertEquals(CudaTuning.defaults().withGemm(CudaTuning.Gemm.FFMA).withScan(CudaTuning.ScanSplit.SEQUENTIAL), cluster);
        CudaTuning job = CudaTuningSettings.resolve(SPEC.withCudaTuning(Map.of("scan", "auto", "device-generate", "false")), tm);
        assertEquals(cluster.withScan(CudaTuning.ScanSplit.AUTO).withDeviceGenerate(false), job);
    }

    @Test
    void badSettingsNameTheirSource() {
        Configuration tm = Configuration.fromMap(Map.of("scanflow.cuda.tuning", "gemm:fast"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaTuningSettings.resolve(SPEC, tm));
        assertTrue(e.getMessage().startsWith("scanflow.cuda.tuning: CUDA option gemm: 'fast'"), e.getMessage());
        IllegalArgumentException spec = assertThrows(IllegalArgumentException.class,
                () -> SPEC.withCudaTuning(Map.of("scanSegment", "8")));
        assertTrue(spec.getMessage().contains("'scanSegment'"), spec.getMessage());
    }
}
