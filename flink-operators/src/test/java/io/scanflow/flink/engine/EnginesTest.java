package io.scanflow.flink.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.EngineChoice;
import io.scanflow.kernels.Engine;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** cpu | cuda | auto, providers from the class path, and models shared per JVM. */
class EnginesTest {
    private static final Path MODEL = Fixture.root().resolve("models").resolve("mamba1-tied");
    private static final EngineSettings SETTINGS = new EngineSettings(1, 16, List.of(), 0, null);

    /** A stand-in CUDA provider, to check the choice logic without a GPU. */
    private static EngineProvider cuda(boolean available) {
        return new EngineProvider() {
            @Override
            public String backend() {
                return "cuda";
            }

            @Override
            public boolean isAvailable() {
                return available;
            }

            @Override
            public Engine create(SequenceModel model, EngineSettings settings) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** A stand-in CUDA provider that is usable and keeps the real provider's rule for which models it runs. */
    private static EngineProvider usableCudaWithTheRealModelRule() {
        EngineProvider stub = cuda(true);
        return new EngineProvider() {
            @Override
            public String backend() {
                return stub.backend();
            }

            @Override
            public boolean isAvailable() {
                return true;
            }

            @Override
            public boolean supports(SequenceModel model) {
                return new CudaEngineProvider().supports(model);
            }

            @Override
            public Engine create(SequenceModel model, EngineSettings settings) {
                return stub.create(model, settings);
            }
        };
    }

    @Test
    void featureModelsRunOnTheCpuUnderAutoAndAreRefusedUnderCuda(@org.junit.jupiter.api.io.TempDir Path dir) {
        SequenceModel features = ModelLoader.load(io.scanflow.model.testing.FeatureModels.oneHotCopy(MODEL, dir));
        SequenceModel tokens = ModelLoader.load(MODEL);
        List<EngineProvider> providers = List.of(new CpuEngineProvider(), usableCudaWithTheRealModelRule());
        assertEquals("cuda", Engines.resolve(EngineChoice.AUTO, tokens, providers).backend());
        assertEquals("cuda", Engines.resolve(EngineChoice.CUDA, tokens, providers).backend());
        assertEquals("cpu", Engines.resolve(EngineChoice.AUTO, features, providers).backend());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Engines.resolve(EngineChoice.CUDA, features, providers));
        assertTrue(e.getMessage().contains("does not run feature-input models"), e.getMessage());
    }

    @Test
    void theCpuProviderIsFoundOnTheClassPath() {
        List<EngineProvider> providers = Engines.providers();
        assertTrue(providers.stream().anyMatch(p -> p instanceof CpuEngineProvider), providers.toString());
        try (Engine engine = Engines.create(EngineChoice.CPU, ModelLoader.load(MODEL), SETTINGS)) {
            assertEquals("cpu", engine.backend());
        }
    }

    /** The CUDA provider is registered too; on a machine without a GPU, auto falls back to the CPU. */
    @Test
    void theCudaProviderIsRegisteredAndPicksGpusBySubtask() {
        List<EngineProvider> providers = Engines.providers();
        assertTrue(providers.stream().anyMatch(p -> p instanceof CudaEngineProvider), providers.toString());
        if (!new CudaEngineProvider().isAvailable()) {
            assertEquals("cpu", Engines.resolve(EngineChoice.AUTO, providers).backend());
        }
        assertEquals(0, CudaEngineProvider.device(List.of(), 5));
        assertEquals(3, CudaEngineProvider.device(List.of("1", "3"), 1));
        assertEquals(1, CudaEngineProvider.device(List.of("1", "3"), 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaEngineProvider.device(List.of("GPU-abc"), 0));
        assertTrue(e.getMessage().contains("'GPU-abc'"), e.getMessage());
    }

    @Test
    void cudaWithoutABackendFailsWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Engines.resolve(EngineChoice.CUDA, List.of(new CpuEngineProvider())));
        assertTrue(e.getMessage().contains("no CUDA backend is on the class path"), e.getMessage());
        IllegalStateException unusable = assertThrows(IllegalStateException.class,
                () -> Engines.resolve(EngineChoice.CUDA, List.of(new CpuEngineProvider(), cuda(false))));
        assertTrue(unusable.getMessage().contains("no usable driver or device"), unusable.getMessage());
    }

    @Test
    void autoTakesAUsableCudaBackendElseTheCpu() {
        EngineProvider gpu = cuda(true);
        assertSame(gpu, Engines.resolve(EngineChoice.AUTO, List.of(new CpuEngineProvider(), gpu)));
        assertEquals("cpu", Engines.resolve(EngineChoice.AUTO, List.of(new CpuEngineProvider(), cuda(false))).backend());
        assertEquals("cpu", Engines.resolve(EngineChoice.AUTO, List.of(new CpuEngineProvider())).backend());
        String here = new CudaEngineProvider().isAvailable() ? "cuda" : "cpu";
        assertEquals(here, Engines.resolve(EngineChoice.AUTO, Engines.providers()).backend(), "this machine's backend");
    }

    @Test
    void aModelIsLoadedOnceAndDroppedWithItsLastLease() {
        AtomicInteger loads = new AtomicInteger();
        Function<Path, SequenceModel> old = SharedModels.setLoader(p -> {
            loads.incrementAndGet();
            return ModelLoader.load(p);
        });
        try {
            ModelLease a = SharedModels.acquire(MODEL);
            ModelLease b = SharedModels.acquire(MODEL.resolve("..").resolve("mamba1-tied"));
            assertSame(a.model(), b.model());
            assertEquals(1, loads.get());
            assertEquals(2, SharedModels.leases(MODEL));
            a.close();
            a.close();
            assertEquals(1, SharedModels.leases(MODEL), "closing a lease twice releases once");
            b.close();
            assertEquals(0, SharedModels.leases(MODEL));
            try (ModelLease c = SharedModels.acquire(MODEL)) {
                assertEquals(2, loads.get(), "the last release dropped the model");
                assertEquals(50, c.model().vocabSize());
            }
        } finally {
            SharedModels.setLoader(old);
        }
    }
}
