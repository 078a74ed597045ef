package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfigLoader;
import io.scanflow.model.testing.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shape the {@code _a} generate builds have compiled in is the one the Java side checks models against,
 * and the shipped mu-law generator has it (no GPU needed).
 */
class CompiledShapeTest {

    @Test
    void javaAndTheKernelSourceAgreeOnTheCompiledShape() throws IOException {
        String source = Files.readString(FatbinTest.kernelsModule().resolve("src/main/cuda/mamba1_generate.cuh"));
        Matcher m = Pattern.compile("const int (\\w+) = SHAPE == 1 \\? (\\d+) : \\w+;").matcher(source);
        Map<String, Integer> cuda = new LinkedHashMap<>();
        while (m.find()) {
            cuda.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Mamba1Generator.Shape s = Mamba1Generator.COMPILED_SHAPE;
        Map<String, Integer> java = new LinkedHashMap<>();
        java.put("D", s.hidden());
        java.put("E", s.inner());
        java.put("N", s.state());
        java.put("R", s.dtRank());
        java.put("K", s.conv());
        java.put("V", s.vocab());
        java.put("VP", Integer.highestOneBit(s.vocab() - 1) << 1);
        assertEquals(java, cuda);
    }

    @Test
    void theShippedMuLawGeneratorHasTheCompiledShape() {
        MambaConfig cfg = (MambaConfig) ModelConfigLoader.load(
                Fixture.root().resolveSibling("models").resolve("mulaw-generator"));
        assertEquals(Mamba1Generator.COMPILED_SHAPE, Mamba1Generator.Shape.of(cfg));
        assertTrue(Mamba1Generator.supports(cfg));
    }
}
