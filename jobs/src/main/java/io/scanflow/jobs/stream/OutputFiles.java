package io.scanflow.jobs.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * A job's output folder: Flink's {@link FileSink} writes lines into {@value #PARTS}/ exactly once (a
 * part file becomes visible when the checkpoint after its last line completes; a restore drops what
 * came after the checkpoint), and once the job has finished the command merges the committed parts
 * into one file in a fixed order, so runs compare byte for byte whatever the parallelism or failures.
 */
public final class OutputFiles {
    /** The sink's folder inside the output folder. */
    public static final String PARTS = "parts";
    /** The lock file a run holds in a local output folder; it does not make the folder "not empty". */
    public static final String LOCK = ".scanflow.lock";

    private OutputFiles() {}

    /** The file or folder {@code name} inside the output folder. */
    public static String resolve(String outUri, String name) {
        return new Path(new Path(outUri), name).toString();
    }

    /** The exactly-once line sink into {@code <out>/parts}: files roll at every checkpoint. */
    public static FileSink<String> sink(String outUri) {
        return FileSink.forRowFormat(new Path(new Path(outUri), PARTS), new SimpleStringEncoder<String>("UTF-8"))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".tsv").build())
                .build();
    }

    /**
     * Makes sure the output folder can take a new run: created when missing; when it holds anything,
     * refused (the message names it {@code shownAs}) unless {@code overwrite}, which deletes the parts
     * folder and {@code results}, and nothing else.
     */
    public static void prepare(String outUri, String shownAs, boolean overwrite, String... results) throws IOException {
        Path dir = new Path(outUri);
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            fs.mkdirs(dir);
            return;
        }
        if (!fs.getFileStatus(dir).isDir()) {
            throw new IllegalArgumentException("--out " + shownAs + " is a file, not a folder");
        }
        FileStatus[] entries = fs.listStatus(dir);
        if (entries == null || Arrays.stream(entries).allMatch(e -> e.getPath().getName().equals(LOCK))) {
            return;
        }
        if (!overwrite) {
            throw new IllegalArgumentException("--out " + shownAs + " is not empty; choose a new folder or add --overwrite");
        }
        deleteParts(outUri);
        for (String result : results) {
            fs.delete(new Path(dir, result), false);
        }
    }

    /** Deletes {@code <out>/parts} with everything in it, if it is there. */
    public static void deleteParts(String outUri) throws IOException {
        Path parts = new Path(new Path(outUri), PARTS);
        parts.getFileSystem().delete(parts, true);
    }

    /**
     * The lines of every committed part file under {@code <out>/parts}, file by file. In-progress and
     * pending files (hidden, their names start with a dot) are not output.
     */
    public static List<String> committedLines(String outUri) throws IOException {
        List<String> lines = new ArrayList<>();
        Path parts = new Path(new Path(outUri), PARTS);
        FileSystem fs = parts.getFileSystem();
        if (fs.exists(parts)) {
            collect(fs, parts, lines);
        }
        return lines;
    }

    private static void collect(FileSystem fs, Path dir, List<String> lines) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        if (entries == null) {
            return;
        }
        for (FileStatus f : entries) {
            String name = f.getPath().getName();
            if (name.startsWith(".") || name.startsWith("_")) {
                continue;
            }
            if (f.isDir()) {
                collect(fs, f.getPath(), lines);
                continue;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
            }
        }
    }
}
