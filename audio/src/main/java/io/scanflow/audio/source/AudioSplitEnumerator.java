package io.scanflow.audio.source;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Hands out one split per request (readers pull, like Flink's file source). Bounded: when nothing is
 * left, the asking reader is told there are no more splits. Watching: the inputs are listed again every
 * interval and new files become new splits.
 */
final class AudioSplitEnumerator implements SplitEnumerator<AudioSplit, AudioEnumeratorState> {
    private final SplitEnumeratorContext<AudioSplit> context;
    private final AudioFileDiscovery discovery;
    private final Duration watchInterval;
    private final ArrayDeque<AudioSplit> pending;
    private final Set<String> seen;
    private final ArrayDeque<Integer> waiting = new ArrayDeque<>();

    AudioSplitEnumerator(SplitEnumeratorContext<AudioSplit> context, AudioFileDiscovery discovery,
                         Duration watchInterval, AudioEnumeratorState state) {
        this.context = context;
        this.discovery = discovery;
        this.watchInterval = watchInterval;
        this.pending = new ArrayDeque<>(state.pending());
        // Listing runs on a worker thread and reads this set while the coordinator thread adds to it.
        this.seen = ConcurrentHashMap.newKeySet();
        this.seen.addAll(state.seenPaths());
    }

    @Override
    public void start() {
        if (seen.isEmpty() && pending.isEmpty()) {
            pending.addAll(discovery.discover(seen));
        }
        if (watchInterval != null) {
            long ms = watchInterval.toMillis();
            context.callAsync(() -> discovery.discover(new HashSet<>(seen)), this::addDiscovered, ms, ms);
        }
    }

    private void addDiscovered(List<AudioSplit> found, Throwable error) {
        if (error != null) {
            throw new IllegalStateException("listing the audio inputs failed", error);
        }
        for (AudioSplit s : found) {
            if (seen.add(s.path()) || s.channel() > 0) {
                pending.add(s);
            }
        }
        while (!waiting.isEmpty() && !pending.isEmpty()) {
            assign(waiting.poll());
        }
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        if (!context.registeredReaders().containsKey(subtask)) {
            return;
        }
        if (!pending.isEmpty()) {
            assign(subtask);
        } else if (watchInterval == null) {
            context.signalNoMoreSplits(subtask);
        } else {
            waiting.add(subtask);
        }
    }

    private void assign(int subtask) {
        context.assignSplit(pending.poll(), subtask);
    }

    @Override
    public void addSplitsBack(List<AudioSplit> splits, int subtask) {
        splits.forEach(pending::addFirst);
    }

    @Override
    public void addReader(int subtask) {
        // Readers ask for splits themselves.
    }

    @Override
    public AudioEnumeratorState snapshotState(long checkpointId) {
        return new AudioEnumeratorState(List.copyOf(pending), seen);
    }

    @Override
    public void close() {}
}
