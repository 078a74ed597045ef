package io.scanflow.flink;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * {@code modelfs:///abs/path}: the local disk under a scheme of its own, standing in for a remote file system
 * (s3, hdfs) that Flink reaches through a plugin. Registered as a service for the tests.
 */
public final class ModelfsFileSystemFactory implements FileSystemFactory {
    static final String SCHEME = "modelfs";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new LocalFileSystem() {
            @Override
            public URI getUri() {
                return URI.create(SCHEME + ":///");
            }

            @Override
            public boolean isDistributedFS() {
                return true;
            }
        };
    }
}
