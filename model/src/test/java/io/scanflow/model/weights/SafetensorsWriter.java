package io.scanflow.model.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Builds safetensors files, valid or deliberately broken, for tests. */
public final class SafetensorsWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode header = MAPPER.createObjectNode();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    public static SafetensorsWriter create() {
        return new SafetensorsWriter();
    }

    SafetensorsWriter metadata(String key, String value) {
        ObjectNode meta = header.has("__metadata__")
                ? (ObjectNode) header.get("__metadata__") : header.putObject("__metadata__");
        meta.put(key, value);
        return this;
    }

    public SafetensorsWriter f32(String name, long[] shape, float... values) {
        ByteBuffer b = le(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        return tensor(name, "F32", shape, b.array());
    }

    SafetensorsWriter f64(String name, long[] shape, double... values) {
        ByteBuffer b = le(values.length * 8);
        for (double v : values) {
            b.putDouble(v);
        }
        return tensor(name, "F64", shape, b.array());
    }

    /** Half or bfloat16 values given as their raw 16 bits. */
    SafetensorsWriter bits16(String name, String dtype, long[] shape, short... bits) {
        ByteBuffer b = le(bits.length * 2);
        for (short s : bits) {
            b.putShort(s);
        }
        return tensor(name, dtype, shape, b.array());
    }

    /** Appends raw bytes and a header entry pointing at them. */
    SafetensorsWriter tensor(String name, String dtype, long[] shape, byte[] bytes) {
        ObjectNode entry = header.putObject(name);
        entry.put("dtype", dtype);
        ArrayNode dims = entry.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
        entry.putArray("data_offsets").add(data.size()).add(data.size() + bytes.length);
        data.writeBytes(bytes);
        return this;
    }

    public Path write(Path file) {
        return write(file, header.toString(), data.toByteArray());
    }

    /** Length prefix + header text + data, the header taken verbatim (may be broken on purpose). */
    static Path write(Path file, String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        return write(file, json.length, json, data);
    }

    /** As {@link #write(Path, String, byte[])} but with a declared header length that may lie. */
    static Path write(Path file, long declaredLength, byte[] header, byte[] data) {
        ByteBuffer b = le(8 + header.length + data.length);
        b.putLong(declaredLength).put(header).put(data);
        return writeRaw(file, b.array());
    }

    static Path writeRaw(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static long[] shape(long... dims) {
        return dims;
    }

    /** Runs {@code action}, expects a CheckpointException, and checks its message contains every fragment. */
    static CheckpointException assertFails(Executable action, Object... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, action);
        for (Object fragment : fragments) {
            assertTrue(e.getMessage().contains(String.valueOf(fragment)),
                    () -> "message lacks \"" + fragment + "\": " + e.getMessage());
        }
        return e;
    }
}
