package io.scanflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.cuda.CudaAvailability;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Without CUDA (no JCuda natives, no driver, no device, or disabled on purpose) the factory runs the CPU
 * backend, says why exactly once per JVM, and the CPU path computes what it always did. CUDA is disabled
 * through the property here so the test means the same on a GPU machine.
 */
class EnginesFallbackTest {
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Logger logger = Logger.getLogger("io.scanflow.kernels");

    @BeforeEach
    void disableCuda() {
        System.setProperty(CudaAvailability.DISABLE_PROPERTY, "true");
        logger.addHandler(handler);
    }

    @AfterEach
    void restore() {
        System.clearProperty(CudaAvailability.DISABLE_PROPERTY);
        System.clearProperty(Engines.REQUIRED_PROPERTY);
        logger.removeHandler(handler);
    }

    @Test
    void autoAndCudaFallBackToCpuAndSaySoOnce() {
        Path dir = Fixture.load("mamba1-tied").modelDir;
        SequenceModel model = ModelLoader.load(dir);
        int before = Engines.fallbackReports();
        try (Engine a = Engines.create(model, dir, "auto", EngineOptions.defaults().withCpuThreads(1));
             Engine b = Engines.create(model, dir, "cuda", EngineOptions.defaults().withCpuThreads(1))) {
            assertEquals("cpu", a.backend());
            assertEquals("cpu", b.backend());
        }
        assertEquals(1, Engines.fallbackReports(), "the fallback is reported once per JVM");
        long messages = records.stream().filter(r -> r.getMessage().contains("CUDA backend not used")).count();
        assertEquals(before == 0 ? 1 : 0, messages, "one message, on the first fallback only");
        if (before == 0) {
            assertTrue(records.get(0).getMessage().contains(CudaAvailability.DISABLE_PROPERTY), records.get(0).getMessage());
        }
    }

    @Test
    void theReasonIsThereWhenCudaIsUnavailable() {
        CudaAvailability a = CudaAvailability.get();
        assertFalse(a.available());
        assertFalse(a.reason().isEmpty());
        assertTrue(Engines.describeAuto().startsWith("cpu ("), Engines.describeAuto());
    }

    @Test
    void requiredCudaFailsInsteadOfFallingBack() {
        System.setProperty(Engines.REQUIRED_PROPERTY, "true");
        Path dir = Fixture.load("mamba1-tied").modelDir;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Engines.create(dir, "cuda", EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("CUDA unavailable"), e.getMessage());
    }

    @Test
    void unknownBackendIsRejected() {
        Path dir = Fixture.load("mamba1-tied").modelDir;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Engines.create(dir, "tpu", EngineOptions.defaults()));
        assertTrue(e.getMessage().contains("cpu, cuda or auto"), e.getMessage());
    }

    /** The probe without the property: on a machine without a GPU (CI) it must say why, not throw. */
    @Test
    void probingARealMachineNeverThrows() {
        System.clearProperty(CudaAvailability.DISABLE_PROPERTY);
        CudaAvailability a = CudaAvailability.get();
        assertEquals(a.available(), a.reason().isEmpty(), a.toString());
        System.out.println("cuda probe: " + a);
    }

    @Test
    void fallbackEngineComputesTheCpuResult() {
        Fixture f = Fixture.load("mamba1-tied");
        SequenceModel model = ModelLoader.load(f.modelDir);
        float[][] viaFactory = new float[1][f.length * f.vocab];
        float[][] direct = new float[1][f.length * f.vocab];
        try (Engine a = Engines.create(model, f.modelDir, "auto", EngineOptions.defaults().withCpuThreads(1));
             Engine b = new io.scanflow.kernels.cpu.CpuEngine(model, 1, 2048)) {
            a.prefill(new int[] {a.openSlot()}, new int[][] {f.sequence(0)}, Output.ALL_LOGITS, viaFactory);
            b.prefill(new int[] {b.openSlot()}, new int[][] {f.sequence(0)}, Output.ALL_LOGITS, direct);
        }
        assertEquals(0.0, Fixture.maxRelativeError(viaFactory[0], direct[0]));
    }
}
