package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.kernels.EngineOptions;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.Fixture;
import org.junit.jupiter.api.Test;

/** The CUDA engine's own rows per pass (no GPU needed): the model's suggestion, within the free memory. */
class RowsPerPassTest {
    @Test
    void theDefaultIsTheSuggestionCappedByAQuarterOfTheFreeMemory() {
        assertEquals(EngineOptions.AUTO_ROWS, EngineOptions.defaults().maxRowsPerPass());
        ModelConfig small = ModelLoader.load(Fixture.root().resolve("models").resolve("mamba1-tied")).config();
        int suggested = CudaEngine.suggestedRowsPerPass(small);
        assertTrue(suggested > 8192, "a small model gets more than 8,192 rows per pass: " + suggested);
        assertEquals(suggested, PassSizing.autoRowsPerPass(small, 80L << 30));
        int capped = PassSizing.autoRowsPerPass(small, 64L << 20);
        assertTrue(capped >= 1024 && capped < suggested, "64 MB free: " + capped);
        assertEquals(1024, PassSizing.autoRowsPerPass(small, 1L << 20));
    }
}
