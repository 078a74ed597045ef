package io.scanflow.model.head;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes head.json and small F32 safetensors files for tests. */
final class HeadFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HeadFiles() {
    }

    static void json(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve(ClassificationHeads.FILE_NAME), json);
    }

    /** tensors: name -> {shape as long[], values as float[]} */
    static void safetensors(Path file, Map<String, Object[]> tensors) throws IOException {
        ObjectNode header = MAPPER.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Object[]> t : tensors.entrySet()) {
            long[] shape = (long[]) t.getValue()[0];
            float[] values = (float[]) t.getValue()[1];
            ObjectNode info = header.putObject(t.getKey());
            info.put("dtype", "F32");
            var s = info.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            int begin = data.size();
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putFloat(v);
            }
            data.write(b.array());
            info.putArray("data_offsets").add(begin).add(data.size());
        }
        byte[] h = MAPPER.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(h);
        for (int i = h.length; i < padded; i++) {
            out.write(' ');
        }
        out.write(data.toByteArray());
        Files.write(file, out.toByteArray());
    }

    static Map<String, Object[]> weights(int labels, int hidden, float[] w, float[] b) {
        Map<String, Object[]> m = new LinkedHashMap<>();
        m.put(ClassificationHeads.WEIGHT, new Object[] {new long[] {labels, hidden}, w});
        m.put(ClassificationHeads.BIAS, new Object[] {new long[] {labels}, b});
        return m;
    }

    static String headJson(String labels, String pooling, int hidden) {
        return "{\"format\": \"scanflow-classification-head\", \"version\": 1, \"labels\": " + labels
                + ", \"pooling\": \"" + pooling + "\", \"hidden_size\": " + hidden + ", \"weights\": \"head.safetensors\"}";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
