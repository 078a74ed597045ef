package io.scanflow.jobs.stream;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The retained checkpoints in a checkpoint folder ({@code <dir>/<job id>/chk-<n>/_metadata}, as Flink
 * lays them out): a run killed mid-job resumes from the newest complete one. A {@code chk-} folder
 * without {@code _metadata} was cut off while being written and is passed over.
 */
public final class Checkpoints {
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    private Checkpoints() {}

    /** The newest complete checkpoint under {@code dirUri}: the latest written, then the highest number. */
    public static Optional<String> latest(String dirUri) throws IOException {
        Path dir = new Path(dirUri);
        FileSystem fs = dir.getFileSystem();
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        Path best = null;
        long bestTime = Long.MIN_VALUE;
        long bestNumber = -1;
        for (FileStatus job : list(fs, dir)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(fs, job.getPath())) {
                Matcher m = CHECKPOINT.matcher(chk.getPath().getName());
                if (!chk.isDir() || !m.matches()) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), "_metadata");
                if (!fs.exists(metadata)) {
                    continue;
                }
                long time = fs.getFileStatus(metadata).getModificationTime();
                long number = Long.parseLong(m.group(1));
                if (time > bestTime || (time == bestTime && number > bestNumber)) {
                    best = chk.getPath();
                    bestTime = time;
                    bestNumber = number;
                }
            }
        }
        return Optional.ofNullable(best).map(Path::toString);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        return entries == null ? new FileStatus[0] : entries;
    }
}
