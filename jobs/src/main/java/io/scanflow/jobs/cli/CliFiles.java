package io.scanflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Input files and output folders named on the command line, checked before any work starts, so a
 * typo fails in a second with the option, the path and what is wrong, not after a whole job.
 */
final class CliFiles {
    private CliFiles() {}

    /** {@code file} must be a readable regular file. */
    static void requireFile(String option, Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + ": is a folder, expected a file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": cannot be read (permission denied)");
        }
    }

    /** {@code file} will be written: its folder must exist, and it must not be a folder itself. */
    static void requireWritableFile(String option, Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + ": is a folder, expected a file name");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IllegalArgumentException(option + " " + file + ": the folder " + parent
                    + (Files.exists(parent) ? " is a file" : " does not exist"));
        }
        if (parent != null && !Files.isWritable(parent)) {
            throw new IllegalArgumentException(option + " " + file + ": the folder " + parent + " is not writable");
        }
    }
}
