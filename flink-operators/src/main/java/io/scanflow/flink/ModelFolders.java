package io.scanflow.flink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Model folders named by URI ({@code s3://bucket/models/dna}, {@code hdfs://...}: any file system Flink has a
 * plugin for). The loaders memory-map local files, so each JVM copies such a folder once into a local cache
 * and loads it from there. The cache entry is named by the URI and the remote files' sizes and modification
 * times, so a model replaced under the same URI is fetched again, and it appears by an atomic rename, so
 * TaskManagers on one host sharing the cache never load a half-copied folder.
 */
public final class ModelFolders {
    /** A scheme of two or more letters, so a Windows drive letter is not taken for one. */
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");
    /** Local copy -> the URI it was made from, so a spec built from the copy can name the source to the tasks. */
    private static final Map<Path, String> SOURCES = new ConcurrentHashMap<>();

    private ModelFolders() {}

    /**
     * The local folder {@code location} names: a path or a {@code file:} URI as is, any other URI as its
     * cached local copy (fetched now if this JVM has none).
     */
    public static Path local(String location) {
        Optional<Path> direct = direct(location);
        if (direct.isPresent()) {
            return direct.get();
        }
        try {
            return fetch(location);
        } catch (IOException e) {
            throw new UncheckedIOException("model " + location + ": cannot copy it from its file system: " + e.getMessage(), e);
        }
    }

    /** The URI {@code localCopy} was fetched from, if it is a cached copy made by {@link #local}. */
    public static Optional<String> sourceOf(Path localCopy) {
        return Optional.ofNullable(SOURCES.get(localCopy.toAbsolutePath().normalize()));
    }

    private static Optional<Path> direct(String location) {
        if (!SCHEME.matcher(location).matches()) {
            return Optional.of(Path.of(location));
        }
        // Flink's Path takes the location as plain text (spaces included), as the jobs' other locations do.
        URI uri = new org.apache.flink.core.fs.Path(location).toUri();
        return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri.getPath())) : Optional.empty();
    }

    private static synchronized Path fetch(String location) throws IOException {
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(location);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(new org.apache.flink.core.fs.Path(root, "config.json"))) {
            throw new IOException("no config.json in " + location);
        }
        List<FileStatus> files = new ArrayList<>();
        list(fs, root, files);
        Path target = cacheRoot().resolve(cacheName(location, root, files)).toAbsolutePath().normalize();
        if (!Files.isDirectory(target)) {
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempDirectory(target.getParent(), target.getFileName() + ".partial-");
            try {
                String prefix = fs.getFileStatus(root).getPath().toUri().getPath();
                for (FileStatus f : files) {
                    Path out = partial.resolve(relative(prefix, f.getPath()));
                    Files.createDirectories(out.getParent());
                    try (InputStream in = fs.open(f.getPath())) {
                        Files.copy(in, out);
                    }
                }
                moveIntoPlace(partial, target);
            } finally {
                deleteTree(partial);
            }
        }
        SOURCES.put(target, location);
        return target;
    }

    private static void list(FileSystem fs, org.apache.flink.core.fs.Path dir, List<FileStatus> out) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        if (children == null) {
            throw new IOException("not a folder: " + dir);
        }
        for (FileStatus c : children) {
            if (c.isDir()) {
                list(fs, c.getPath(), out);
            } else {
                out.add(c);
            }
        }
    }

    private static String relative(String prefix, org.apache.flink.core.fs.Path file) {
        String p = file.toUri().getPath();
        if (!p.startsWith(prefix)) {
            throw new IllegalStateException(file + " is not under " + prefix);
        }
        return p.substring(prefix.length()).replaceFirst("^/+", "");
    }

    /** The folder name of a fetched copy: the URI's last segment and a digest of the URI and its files' identity. */
    private static String cacheName(String location, org.apache.flink.core.fs.Path root, List<FileStatus> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(location.getBytes(StandardCharsets.UTF_8));
            files.stream().sorted(Comparator.comparing(f -> f.getPath().toString())).forEach(f -> sha.update(
                    (f.getPath() + "\t" + f.getLen() + "\t" + f.getModificationTime() + "\n").getBytes(StandardCharsets.UTF_8)));
            String name = root.getName().replaceAll("[^A-Za-z0-9._-]", "_");
            return (name.isEmpty() ? "model" : name) + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Where fetched models live: {@code scanflow-models} in the JVM's temporary folder. */
    static Path cacheRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "scanflow-models");
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // Another JVM on this host fetched the same files first: use its copy.
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the model cache " + target.getParent() + " does not support atomic renames", e);
        }
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
