package io.scanflow.jobs.dna;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The true label of reads and samples, where known: from a truth file ({@code read_id} or
 * {@code sample} in the first column, {@code label} in the second, tab-separated, with a header),
 * else from the read name: the text before its first '.' when that is one of the model's labels
 * (the simulated reads are named {@code LABEL.DATASET.TAXON-...}).
 */
final class Truth {
    private final List<String> labels;
    private final Map<String, String> byRead = new HashMap<>();
    private final Map<String, String> bySample = new HashMap<>();

    Truth(List<String> labels) {
        this.labels = labels;
    }

    static Truth load(List<String> labels, Path file) throws IOException {
        Truth t = new Truth(labels);
        if (file == null) {
            return t;
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": expected a header line 'read_id<TAB>label' or 'sample<TAB>label', found an empty file");
        }
        String[] header = lines.get(0).split("\t");
        boolean samples = header[0].equals("sample");
        if (!samples && !header[0].equals("read_id")) {
            throw new IllegalArgumentException(file + ": line 1: field 1: expected 'read_id' or 'sample', found '" + header[0] + "'");
        }
        int labelColumn = -1;
        for (int i = 1; i < header.length; i++) {
            if (header[i].equals("label")) {
                labelColumn = i;
            }
        }
        if (labelColumn < 0) {
            throw new IllegalArgumentException(file + ": line 1: expected a 'label' column, found " + List.of(header));
        }
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String[] f = lines.get(n).split("\t");
            if (f.length <= labelColumn) {
                throw new IllegalArgumentException(file + ": line " + (n + 1) + ": expected " + (labelColumn + 1) + " fields, found " + f.length);
            }
            (samples ? t.bySample : t.byRead).put(f[0], f[labelColumn]);
        }
        return t;
    }

    /** The read's true label, or null. */
    String ofRead(String readId) {
        String l = byRead.get(readId);
        if (l != null) {
            return l;
        }
        String base = readId.endsWith("/1") || readId.endsWith("/2") ? readId.substring(0, readId.length() - 2) : readId;
        l = byRead.get(base);
        if (l != null) {
            return l;
        }
        int dot = readId.indexOf('.');
        if (dot > 0 && labels.contains(readId.substring(0, dot))) {
            return readId.substring(0, dot);
        }
        return null;
    }

    /** The sample's label from the truth file, or null (then the majority of its reads' true labels is used). */
    String ofSample(String sample) {
        return bySample.get(sample);
    }
}
