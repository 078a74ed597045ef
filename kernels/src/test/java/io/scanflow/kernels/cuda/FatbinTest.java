package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed fatbin matches the committed CUDA sources: the build records the source hash it compiled
 * (kernels/build-fatbin.sh) and this test recomputes it, so a source edit without a rebuild fails CI even
 * where no nvcc exists.
 */
class FatbinTest {
    static Path kernelsModule() {
        String p = System.getProperty("scanflow.kernels.dir");
        return p != null ? Path.of(p) : Path.of(".");
    }

    @Test
    void recordedSourceHashMatchesTheSources() {
        Map<String, String> record = Fatbin.record();
        assertEquals(Fatbin.sourceHash(kernelsModule()), record.get("sources"),
                "the fatbin was built from other CUDA sources: run kernels/build-fatbin.sh where nvcc exists and commit "
                        + "the fatbin and its .sha256");
    }

    @Test
    void recordedFatbinHashMatchesThePackedFatbin() {
        assertEquals(Fatbin.sha256(Fatbin.load()), Fatbin.record().get("fatbin"),
                "scanflow.fatbin was replaced without its record");
    }

    @Test
    void fatbinHasTheFatbinMagic() {
        byte[] f = Fatbin.load();
        assertTrue(f.length > 1024, "fatbin of " + f.length + " bytes");
        int magic = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals(0xBA55ED50, magic, String.format("magic %08x", magic));
    }
}
