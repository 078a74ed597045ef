package io.scanflow.audio.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;

/**
 * Publishes finished files once their checkpoint is complete: an atomic rename from the hidden pending
 * name to {@code <stream>.wav}. Idempotent: a committable whose pending file is gone and whose target
 * exists was committed before (a retry after a failure), and is acknowledged as such.
 */
final class WavCommitter implements Committer<WavCommittable> {
    @Override
    public void commit(Collection<CommitRequest<WavCommittable>> requests) {
        for (CommitRequest<WavCommittable> r : requests) {
            Path pending = Path.of(r.getCommittable().pending());
            Path target = Path.of(r.getCommittable().target());
            try {
                if (!Files.exists(pending) && Files.exists(target)) {
                    r.signalAlreadyCommitted();
                    continue;
                }
                Files.move(pending, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                r.retryLater();
            }
        }
    }

    @Override
    public void close() {}
}
