package io.scanflow.jobs.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Known labels of audio files, for {@code audio-classify --truth}: a tab-separated file with a header, the
 * file in the first column (a name or a path relative to anything) and the label in the column named
 * {@code label}, else in the second column (so {@code file digit ...} works as written by the corpus
 * scripts). A stream matches the row whose file is the stream name or ends with {@code /} + the stream name.
 */
public final class AudioTruth {
    private record Row(String file, String label) {}

    private final Path source;
    private final List<Row> rows;

    private AudioTruth(Path source, List<Row> rows) {
        this.source = source;
        this.rows = rows;
    }

    public static AudioTruth load(Path file, List<String> labels) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty; expected a header line such as 'file<TAB>label'");
        }
        String[] header = lines.get(0).split("\t", -1);
        int column = List.of(header).indexOf("label");
        if (column < 0) {
            column = 1;
        }
        if (header.length <= column) {
            throw new IllegalArgumentException(file + ": line 1: expected at least 2 columns (file, label), found "
                    + header.length);
        }
        List<Row> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String[] f = lines.get(n).split("\t", -1);
            if (f.length <= column) {
                throw new IllegalArgumentException(file + ": line " + (n + 1) + ": field " + header[column]
                        + ": missing (" + f.length + " fields)");
            }
            if (!labels.contains(f[column])) {
                throw new IllegalArgumentException(file + ": line " + (n + 1) + ": field " + header[column] + ": '"
                        + f[column] + "' is not one of the model's labels " + labels);
            }
            rows.add(new Row(f[0].replace('\\', '/'), f[column]));
        }
        return new AudioTruth(file, rows);
    }

    /** The label of {@code stream}, or null when no row names it; two rows that both match are an error. */
    public String labelOf(String stream) {
        String found = null;
        String foundFile = null;
        for (Row r : rows) {
            if (r.file.equals(stream) || r.file.endsWith("/" + stream)) {
                if (found != null && !found.equals(r.label)) {
                    throw new IllegalArgumentException(source + ": stream " + stream + " matches two rows with different "
                            + "labels (" + foundFile + ", " + r.file + "); give the files distinct names");
                }
                found = r.label;
                foundFile = r.file;
            }
        }
        return found;
    }
}
