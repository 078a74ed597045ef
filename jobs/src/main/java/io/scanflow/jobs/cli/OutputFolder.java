package io.scanflow.jobs.cli;

import io.scanflow.jobs.stream.OutputFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An output folder held for one run: created (with its parents) before the work starts, and locked
 * through {@value #LOCK}, so a second run into the same folder at the same time is refused instead of
 * silently replacing the first one's files. The lock is the operating system's: it goes with the
 * process, so a killed run leaves no stale lock behind (only an empty lock file, which the next run
 * takes over). A run that ends deletes the file while it still holds the lock.
 */
final class OutputFolder implements AutoCloseable {
    static final String LOCK = OutputFiles.LOCK;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private OutputFolder(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates and locks {@code dir}; one line naming {@code option} and the folder if it cannot. */
    static OutputFolder open(String option, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot create the folder, " + e.getFile()
                    + " is a file");
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot create the folder ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot write there ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this JVM
        }
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException(option + " " + dir + " is in use by another scanflow run; wait for it"
                    + " or choose another folder");
        }
        return new OutputFolder(dir.resolve(LOCK), channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
            lock.release();
        } finally {
            channel.close();
        }
    }
}
