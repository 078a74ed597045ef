package io.scanflow.flink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A deterministic record stream over a few keys for the tiny fixture model (vocabulary 50). */
public final class TestRecords {
    public static final int VOCAB = 50;

    private TestRecords() {}

    /** Record {@code i}: keys interleave irregularly, chunks of 1-6 tokens, every 11th record ends its stream. */
    public static ScanInput at(long i, int keys) {
        return at(i, keys, VOCAB);
    }

    /** {@link #at(long, int)} with tokens below {@code vocab}. */
    public static ScanInput at(long i, int keys, int vocab) {
        String key = "k" + ((i * 7 + i / 3) % keys);
        int length = 1 + (int) (i * 13 % 6);
        int[] tokens = new int[length];
        for (int j = 0; j < length; j++) {
            tokens[j] = (int) ((i * 31 + j * 17 + 3) % vocab);
        }
        return new ScanInput(key, tokens, null, i % 11 == 10, 1_000 + i);
    }

    public static List<ScanInput> first(int n, int keys) {
        return first(n, keys, VOCAB);
    }

    public static List<ScanInput> first(int n, int keys, int vocab) {
        List<ScanInput> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(at(i, keys, vocab));
        }
        return out;
    }

    /** Output lines grouped by key, each key's lines in their order. */
    public static Map<String, List<String>> byKey(List<String> lines) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String l : lines) {
            m.computeIfAbsent(Render.keyOf(l), k -> new ArrayList<>()).add(l);
        }
        return m;
    }

    public static List<String> render(List<?> outputs) {
        List<String> out = new ArrayList<>(outputs.size());
        for (Object o : outputs) {
            out.add(Render.line(o));
        }
        return out;
    }
}
