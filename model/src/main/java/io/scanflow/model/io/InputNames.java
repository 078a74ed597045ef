package io.scanflow.model.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Short names for input files that are unique per file: the file name, or, where another input has
 * the same file name, the shortest path suffix that tells them apart ({@code a/clip.wav} and
 * {@code b/clip.wav}). Sources key streams and samples by these names, so two inputs never merge
 * because they share a file name. Here rather than in a source module because the audio and the
 * genomics sources both need it and depend on nothing else in common.
 */
public final class InputNames {
    private InputNames() {
    }

    /**
     * One name per file, in order. The same file given twice (after normalizing) gets the same name;
     * a file whose whole path is a suffix of another's is named by its absolute path.
     */
    public static List<String> of(List<Path> files) {
        List<Path> paths = new ArrayList<>(files.size());
        files.forEach(f -> paths.add(f.toAbsolutePath().normalize()));
        List<String> names = new ArrayList<>(paths.size());
        for (Path p : paths) {
            names.add(nameOf(p, paths));
        }
        return names;
    }

    private static String nameOf(Path p, List<Path> all) {
        for (int k = 1; k <= p.getNameCount(); k++) {
            String suffix = suffix(p, k);
            boolean unique = true;
            for (Path other : all) {
                if (!other.equals(p) && suffix.equals(suffix(other, k))) {
                    unique = false;
                    break;
                }
            }
            if (unique) {
                return suffix;
            }
        }
        return p.toString();
    }

    /** The last {@code k} names of {@code p} joined by '/', or its whole path when it has fewer. */
    private static String suffix(Path p, int k) {
        int n = p.getNameCount();
        if (k > n) {
            return p.toString();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = n - k; i < n; i++) {
            sb.append(i > n - k ? "/" : "").append(p.getName(i));
        }
        return sb.toString();
    }
}
