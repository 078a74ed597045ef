package io.scanflow.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file.
 *
 * <p>All checks that can be made without reading tensor data happen here, once, when the file
 * is opened: a checkpoint that opens is one whose every tensor can be read. Layout: an 8-byte
 * little-endian header length N, N bytes of JSON, then the data section that
 * {@code data_offsets} are relative to.
 */
final class SafetensorsHeader {

    /** Headers beyond this are rejected before reading them (same bound as the reference reader). */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final int LENGTH_PREFIX = 8;

    /** Absolute offset of the data section in the file. */
    final long dataStart;
    /** Bytes in the data section. */
    final long dataLength;
    /** The {@code __metadata__} map; empty if absent. */
    final Map<String, String> metadata;
    /** Tensors in header order, with absolute byte offsets. */
    final Map<String, TensorInfo> tensors;

    private SafetensorsHeader(long dataStart, long dataLength, Map<String, String> metadata,
            Map<String, TensorInfo> tensors) {
        this.dataStart = dataStart;
        this.dataLength = dataLength;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Reads and validates the header of {@code file} through {@code channel}. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX) {
            throw new CheckpointException(file + " is too short to be a safetensors file: expected at least "
                    + LENGTH_PREFIX + " bytes (the header length), found " + fileSize + " bytes");
        }
        ByteBuffer prefix = readFully(channel, 0, LENGTH_PREFIX);
        long headerLength = prefix.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        long room = fileSize - LENGTH_PREFIX;
        // Unsigned compare: a length with the top bit set is simply "very large".
        if (Long.compareUnsigned(headerLength, room) > 0) {
            throw new CheckpointException("header length " + Long.toUnsignedString(headerLength) + " in " + file
                    + " runs past the end of the file: expected at most " + room
                    + " bytes after the 8-byte length, file size is " + fileSize + " bytes");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException("header length " + headerLength + " in " + file
                    + " is too large: expected at most " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] json = new byte[(int) headerLength];
        readFully(channel, LENGTH_PREFIX, (int) headerLength).get(json);
        long dataStart = LENGTH_PREFIX + headerLength;
        return parse(file, json, dataStart, fileSize - dataStart);
    }

    /** Validates the JSON header given the size of the data section that follows it. */
    static SafetensorsHeader parse(Path file, byte[] json, long dataStart, long dataLength) {
        JsonNode root = Json.parse(json, "header of " + file);
        if (!root.isObject()) {
            throw new CheckpointException("header of " + file + ": expected a JSON object, found "
                    + Json.describe(root));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA_KEY.equals(field.getKey())) {
                metadata.putAll(parseMetadata(file, field.getValue()));
            } else {
                entries.add(Entry.parse(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        checkNoOverlap(file, entries);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, new TensorInfo(e.name, e.dtype, e.shape, file, dataStart + e.begin, dataStart + e.end));
        }
        return new SafetensorsHeader(dataStart, dataLength, metadata, tensors);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException("header of " + file + ": expected \"" + METADATA_KEY
                    + "\" to be an object of strings, found " + Json.describe(node));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw new CheckpointException("header of " + file + ": expected \"" + METADATA_KEY + "\" value for key \""
                        + field.getKey() + "\" to be a string, found " + Json.describe(field.getValue()));
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return metadata;
    }

    /** Non-empty tensors must not share bytes; sorted by begin, each must start after every earlier end. */
    private static void checkNoOverlap(Path file, List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end > e.begin) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        Entry reach = null; // the earlier tensor that extends furthest
        for (Entry e : sorted) {
            if (reach != null && e.begin < reach.end) {
                throw new CheckpointException("tensors " + reach.name + " and " + e.name + " in " + file
                        + " overlap: expected disjoint byte ranges, found data_offsets " + reach.offsets()
                        + " and " + e.offsets());
            }
            if (reach == null || e.end > reach.end) {
                reach = e;
            }
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    /** One tensor entry of the header, offsets still relative to the data section. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {

        static Entry parse(Path file, String name, JsonNode node, long dataLength) {
            String where = "tensor " + name + " in " + file;
            if (!node.isObject()) {
                throw new CheckpointException(where + ": expected an object with \"dtype\", \"shape\" and"
                        + " \"data_offsets\", found " + Json.describe(node));
            }
            JsonNode dtypeNode = required(where, node, "dtype");
            if (!dtypeNode.isTextual()) {
                throw new CheckpointException(where + ": expected \"dtype\" to be a string, found "
                        + Json.describe(dtypeNode));
            }
            DType dtype = DType.parse(dtypeNode.textValue(), file, name);
            long[] shape = integers(where, required(where, node, "shape"), "shape", -1,
                    "an array of integers");
            for (long dim : shape) {
                if (dim < 0) {
                    throw new CheckpointException(where + ": expected non-negative dimensions, found shape "
                            + TensorInfo.shapeString(shape));
                }
            }
            long[] offsets = integers(where, required(where, node, "data_offsets"), "data_offsets", 2,
                    "[begin, end] (two non-negative integers)");
            long begin = offsets[0];
            long end = offsets[1];
            if (begin < 0 || end < 0) {
                throw new CheckpointException(where + ": expected \"data_offsets\" to be non-negative, found "
                        + Json.describe(node.get("data_offsets")));
            }
            if (end < begin) {
                throw new CheckpointException(where + ": expected data_offsets end >= begin, found end " + end
                        + " < begin " + begin);
            }
            long expectedBytes = byteCount(where, shape, dtype);
            if (expectedBytes != end - begin) {
                throw new CheckpointException(where + ": expected " + expectedBytes + " bytes (shape "
                        + TensorInfo.shapeString(shape) + " x " + dtype + ", " + dtype.byteSize() + " bytes each), found "
                        + (end - begin) + " bytes (data_offsets [" + begin + ", " + end + "])");
            }
            if (end > dataLength) {
                throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end
                        + "] run past the end of the data section: expected end <= " + dataLength
                        + " (data section size), found " + end);
            }
            return new Entry(name, dtype, shape, begin, end);
        }

        String offsets() {
            return "[" + begin + ", " + end + "] (" + name + ")";
        }

        private static JsonNode required(String where, JsonNode node, String key) {
            JsonNode value = node.get(key);
            if (value == null) {
                throw new CheckpointException(where + ": expected a \"" + key + "\" field, found none (fields: "
                        + fieldNames(node) + ")");
            }
            return value;
        }

        private static String fieldNames(JsonNode node) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            return names.isEmpty() ? "none" : String.join(", ", names);
        }

        /** An array of 64-bit integers, of exactly {@code length} elements unless that is negative. */
        private static long[] integers(String where, JsonNode node, String key, int length, String expected) {
            boolean ok = node.isArray() && (length < 0 || node.size() == length);
            if (ok) {
                for (JsonNode element : node) {
                    ok &= element.isIntegralNumber() && element.canConvertToLong();
                }
            }
            if (!ok) {
                throw new CheckpointException(where + ": expected \"" + key + "\" to be " + expected + ", found "
                        + Json.describe(node));
            }
            long[] values = new long[node.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = node.get(i).longValue();
            }
            return values;
        }

        private static long byteCount(String where, long[] shape, DType dtype) {
            try {
                long count = 1;
                for (long dim : shape) {
                    count = Math.multiplyExact(count, dim);
                }
                return Math.multiplyExact(count, dtype.byteSize());
            } catch (ArithmeticException overflow) {
                throw new CheckpointException(where + ": expected a shape whose byte size fits in 64 bits, found "
                        + TensorInfo.shapeString(shape) + " x " + dtype);
            }
        }
    }
}
