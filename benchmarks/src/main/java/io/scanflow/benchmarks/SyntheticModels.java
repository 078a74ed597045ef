package io.scanflow.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Writes a random-weight HF-layout Mamba model folder of a given shape (config.json + model.safetensors). */
public final class SyntheticModels {
    private SyntheticModels() {}

    public static Path write(ModelShape shape, Path dir) throws IOException {
        Files.createDirectories(dir);
        int d = shape.hidden, e = shape.inner(), n = shape.state, r = shape.rank(), v = shape.vocab;
        Map<String, long[]> tensors = new LinkedHashMap<>();
        tensors.put("backbone.embeddings.weight", new long[] {v, d});
        for (int i = 0; i < shape.layers; i++) {
            String p = "backbone.layers." + i + ".";
            tensors.put(p + "norm.weight", new long[] {d});
            tensors.put(p + "mixer.A_log", new long[] {e, n});
            tensors.put(p + "mixer.D", new long[] {e});
            tensors.put(p + "mixer.conv1d.weight", new long[] {e, 1, 4});
            tensors.put(p + "mixer.conv1d.bias", new long[] {e});
            tensors.put(p + "mixer.in_proj.weight", new long[] {2L * e, d});
            tensors.put(p + "mixer.x_proj.weight", new long[] {r + 2L * n, e});
            tensors.put(p + "mixer.dt_proj.weight", new long[] {e, r});
            tensors.put(p + "mixer.dt_proj.bias", new long[] {e});
            tensors.put(p + "mixer.out_proj.weight", new long[] {d, e});
        }
        tensors.put("backbone.norm_f.weight", new long[] {d});

        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, long[]> t : tensors.entrySet()) {
            long count = 1;
            StringBuilder dims = new StringBuilder();
            for (long x : t.getValue()) {
                count *= x;
                dims.append(dims.length() == 0 ? "" : ",").append(x);
            }
            header.append(header.length() == 1 ? "" : ",").append('"').append(t.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(dims).append("],\"data_offsets\":[").append(offset).append(',').append(offset + 4 * count).append("]}");
            offset += 4 * count;
        }
        header.append('}');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(42);
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (Map.Entry<String, long[]> t : tensors.entrySet()) {
                long[] s = t.getValue();
                long count = 1;
                for (long x : s) {
                    count *= x;
                }
                double scale = 1.0 / Math.sqrt(s.length > 1 ? s[s.length - 1] : 1);
                ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < count; i++) {
                    float value;
                    if (t.getKey().endsWith("A_log")) {
                        value = (float) Math.log(1 + i % s[1]);
                    } else if (t.getKey().endsWith("norm.weight") || t.getKey().endsWith("norm_f.weight")) {
                        value = 1f;
                    } else {
                        value = (float) (random.nextGaussian() * scale);
                    }
                    b.putFloat(value);
                    if (!b.hasRemaining()) {
                        out.write(b.array());
                        b.clear();
                    }
                }
                out.write(b.array(), 0, b.position());
            }
        }
        String config = "{\"model_type\":\"mamba\",\"vocab_size\":" + v + ",\"hidden_size\":" + d
                + ",\"state_size\":" + n + ",\"num_hidden_layers\":" + shape.layers + ",\"expand\":2,\"conv_kernel\":4,"
                + "\"time_step_rank\":\"auto\",\"use_bias\":false,\"use_conv_bias\":true,\"tie_word_embeddings\":true}";
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }
}
