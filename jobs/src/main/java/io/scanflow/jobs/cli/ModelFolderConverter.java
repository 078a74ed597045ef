package io.scanflow.jobs.cli;

import io.scanflow.flink.ModelFolders;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * {@code --model}: a local folder, or a URI of any file system Flink has a plugin for ({@code s3://...}), which
 * is fetched into the local model cache here and again on each TaskManager (see {@link ModelFolders}).
 */
final class ModelFolderConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        return ModelFolders.local(value);
    }
}
