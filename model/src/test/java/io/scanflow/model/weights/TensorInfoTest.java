package io.scanflow.model.weights;

import static io.scanflow.model.weights.SafetensorsWriter.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TensorInfoTest {

    private static final Path FILE = Path.of("m.safetensors");

    @Test
    void elementCountAndShapeStringFollowTheShape() {
        TensorInfo t = new TensorInfo("w", DType.F32, new long[] {64, 1, 4}, FILE, 8, 8 + 1024);
        assertEquals(256, t.elementCount());
        assertEquals("[64, 1, 4]", t.shapeString());
    }

    @Test
    void shapeCannotBeChangedFromOutside() {
        long[] shape = {2, 3};
        TensorInfo t = new TensorInfo("w", DType.F16, shape, FILE, 0, 12);
        shape[0] = 99;
        t.shape()[1] = 99;
        assertEquals("[2, 3]", t.shapeString());
    }

    @Test
    void equalityComparesShapeContents() {
        TensorInfo a = new TensorInfo("w", DType.F16, new long[] {2, 3}, FILE, 0, 12);
        assertEquals(a, new TensorInfo("w", DType.F16, new long[] {2, 3}, FILE, 0, 12));
        assertEquals(a.hashCode(), new TensorInfo("w", DType.F16, new long[] {2, 3}, FILE, 0, 12).hashCode());
        assertNotEquals(a, new TensorInfo("w", DType.F16, new long[] {3, 2}, FILE, 0, 12));
    }

    @Test
    void dtypeParseKnowsTheSafetensorsNamesAndSizes() {
        assertSame(DType.BF16, DType.parse("BF16", FILE, "w"));
        assertEquals(8, DType.F64.byteSize());
        assertEquals(2, DType.BF16.byteSize());
        assertFails(() -> DType.parse("U8", FILE, "w"), "tensor w in m.safetensors", "\"U8\"", "F64, F32, F16, BF16");
    }
}
