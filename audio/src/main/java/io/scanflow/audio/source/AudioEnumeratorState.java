package io.scanflow.audio.source;

import java.util.List;
import java.util.Set;

/**
 * What the enumerator checkpoints: splits not yet handed out, and every path already turned into splits
 * (so a watched folder does not emit a file twice after a restore).
 */
public record AudioEnumeratorState(List<AudioSplit> pending, Set<String> seenPaths) {
    public AudioEnumeratorState {
        pending = List.copyOf(pending);
        seenPaths = Set.copyOf(seenPaths);
    }
}
