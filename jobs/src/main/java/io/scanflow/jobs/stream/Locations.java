package io.scanflow.jobs.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Files a job reads or writes, named so that every TaskManager resolves them the same way: a URI
 * ({@code file:///data/x}, {@code s3://bucket/x}, anything Flink's file systems know) or a local path,
 * which becomes an absolute {@code file:} URI (a TaskManager's working folder is not the client's).
 */
public final class Locations {
    /** A scheme of two or more letters, so a Windows drive letter is not taken for one. */
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");

    private Locations() {}

    /**
     * {@code location} as a Flink path string: kept when it has a scheme, else an absolute {@code file:}
     * path. Written unescaped: Flink's {@link Path} takes its string as plain text (it escapes it
     * itself), so a percent-encoded {@code java.net.URI} string would name a folder called
     * {@code a%20b} instead of {@code a b}.
     */
    public static String uri(String location) {
        if (SCHEME.matcher(location).matches()) {
            return location;
        }
        return new Path(Paths.get(location).toAbsolutePath().normalize().toUri()).toString();
    }

    /** The local file {@code location} names (a path, or a {@code file:} URI), or empty for another file system. */
    public static Optional<java.nio.file.Path> localPath(String location) {
        if (!SCHEME.matcher(location).matches()) {
            return Optional.of(Paths.get(location));
        }
        Path path = new Path(location);
        return "file".equals(path.toUri().getScheme()) ? Optional.of(Paths.get(path.toUri().getPath())) : Optional.empty();
    }

    /** The whole content of a file, through Flink's file systems. */
    public static byte[] readAll(String uri) throws IOException {
        Path path = new Path(uri);
        try (InputStream in = path.getFileSystem().open(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Writes (replaces) a file, through Flink's file systems. */
    public static void write(String uri, byte[] data) throws IOException {
        Path path = new Path(uri);
        try (FSDataOutputStream out = path.getFileSystem().create(path, FileSystem.WriteMode.OVERWRITE)) {
            out.write(data);
        }
    }
}
