package io.scanflow.model.weights;

import static io.scanflow.model.weights.SafetensorsWriter.assertFails;
import static io.scanflow.model.weights.SafetensorsWriter.write;
import static io.scanflow.model.weights.SafetensorsWriter.writeRaw;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each way a single safetensors file can be malformed, and the message that says so. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) {
        return write(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape
                + ", \"data_offsets\": [" + begin + ", " + end + "]}";
    }

    @Test
    void fileShorterThanEightBytesIsNamed() {
        Path f = writeRaw(dir.resolve("tiny.safetensors"), new byte[5]);
        assertFails(() -> Checkpoint.openFile(f), f, "too short", "at least 8 bytes", "found 5 bytes");
    }

    @Test
    void headerLengthPastEndOfFileIsNamed() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = write(dir.resolve("cut.safetensors"), 1000, header, new byte[4]);
        assertFails(() -> Checkpoint.openFile(f), f, "header length 1000", "past the end of the file",
                "file size is 14 bytes");
    }

    @Test
    void headerLengthWithTopBitSetIsReadAsUnsigned() {
        Path f = write(dir.resolve("neg.safetensors"), -1L, new byte[2], new byte[0]);
        assertFails(() -> Checkpoint.openFile(f), f, "header length 18446744073709551615", "past the end");
    }

    @Test
    void oversizedHeaderIsRejectedBeforeReadingIt() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        long length = SafetensorsHeader.MAX_HEADER_BYTES + 1;
        write(f, length, new byte[0], new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8 + length); // sparse: no real bytes written
        }
        assertFails(() -> Checkpoint.openFile(f), f, "header length " + length, "too large",
                "at most " + SafetensorsHeader.MAX_HEADER_BYTES);
    }

    @Test
    void headerThatIsNotJsonReportsLocation() {
        Path f = file("{\"a\": {\"dtype\": \"F32\",\n  oops}", 0);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "not valid JSON", "line 2, column");
    }

    @Test
    void trailingGarbageAfterHeaderObjectIsInvalidJson() {
        Path f = file("{} {}", 0);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "not valid JSON");
    }

    @Test
    void duplicateTensorNameIsInvalidJson() {
        Path f = file("{" + entry("w", "F32", "[1]", 0, 4) + ", " + entry("w", "F32", "[1]", 4, 8) + "}", 8);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "not valid JSON", "Duplicate", "w");
    }

    @Test
    void headerThatIsNotAnObjectIsNamed() {
        Path f = file("[1, 2]", 0);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "expected a JSON object", "found an array");
    }

    @Test
    void emptyHeaderIsNamed() {
        Path f = file("", 0);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "expected a JSON object");
    }

    @Test
    void tensorEntryThatIsNotAnObjectIsNamed() {
        Path f = file("{\"w\": 3}", 0);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "expected an object", "found a number 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void tensorEntryMissingFieldNamesTheField(String missing) {
        String full = "{\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}";
        String without = full.replaceAll("\"" + missing + "\": (\"F32\"|\\[[^\\]]*\\]),? ?", "")
                .replace(", }", "}");
        Path f = file("{\"w\": " + without + "}", 4);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "expected a \"" + missing + "\" field",
                "found none");
    }

    @Test
    void dtypeThatIsNotAStringIsNamed() {
        Path f = file("{\"w\": {\"dtype\": 4, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "\"dtype\" to be a string", "found a number 4");
    }

    @Test
    void shapeThatIsNotAnIntegerArrayIsNamed() {
        Path f = file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "\"shape\" to be an array of integers",
                "found an array [1.5]");
    }

    @Test
    void dataOffsetsWithWrongArityIsNamed() {
        Path f = file("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "\"data_offsets\" to be [begin, end]",
                "found an array [0,4,8]");
    }

    @Test
    void metadataValueThatIsNotAStringIsNamed() {
        Path f = file("{\"__metadata__\": {\"format\": 1}}", 0);
        assertFails(() -> Checkpoint.openFile(f), "header of " + f, "key \"format\" to be a string", "found a number 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"I8", "F8_E4M3", "f32"})
    void unknownDtypeListsTheSupportedOnes(String dtype) {
        Path f = file("{" + entry("w", dtype, "[1]", 0, 1) + "}", 1);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "unsupported dtype \"" + dtype + "\"",
                "F64, F32, F16, BF16");
    }

    @Test
    void negativeDimensionIsNamed() {
        Path f = file("{" + entry("w", "F32", "[2, -3]", 0, 24) + "}", 24);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "non-negative dimensions", "found shape [2, -3]");
    }

    @Test
    void endBeforeBeginIsNamed() {
        Path f = file("{" + entry("w", "F32", "[1]", 8, 4) + "}", 8);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "expected data_offsets end >= begin",
                "found end 4 < begin 8");
    }

    @Test
    void dataRangePastEndOfDataSectionIsNamed() {
        Path f = file("{" + entry("w", "F32", "[4]", 8, 24) + "}", 16);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "past the end of the data section",
                "expected end <= 16", "found 24");
    }

    @Test
    void byteRangeNotMatchingShapeSaysBothSizes() {
        Path f = file("{" + entry("w", "F16", "[2, 3]", 0, 10) + "}", 16);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "expected 12 bytes", "shape [2, 3] x F16",
                "found 10 bytes", "[0, 10]");
    }

    @Test
    void shapeWhoseSizeOverflowsIsNamed() {
        Path f = file("{" + entry("w", "F64", "[4294967296, 4294967296]", 0, 8) + "}", 8);
        assertFails(() -> Checkpoint.openFile(f), "tensor w in " + f, "fits in 64 bits");
    }

    @Test
    void overlappingRangesNameBothTensors() {
        Path f = file("{" + entry("a", "F32", "[4]", 0, 16) + ", " + entry("z", "F32", "[2]", 32, 40) + ", "
                + entry("b", "F32", "[4]", 8, 24) + "}", 40);
        assertFails(() -> Checkpoint.openFile(f), "tensors a and b in " + f, "overlap", "[0, 16]", "[8, 24]");
    }

    @Test
    void rangeInsideAnEarlierLongerRangeIsAnOverlap() {
        Path f = file("{" + entry("outer", "F32", "[8]", 0, 32) + ", " + entry("mid", "F32", "[1]", 4, 8) + ", "
                + entry("inner", "F32", "[1]", 16, 20) + "}", 32);
        assertFails(() -> Checkpoint.openFile(f), "tensors outer and mid in " + f, "overlap");
    }

    @Test
    void zeroSizeTensorsMayShareAnOffset() {
        Path f = file("{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("empty", "F32", "[0]", 4, 4) + "}", 8);
        try (Checkpoint c = Checkpoint.openFile(f)) {
            assertNotNull(c.info("empty"));
        }
    }
}
