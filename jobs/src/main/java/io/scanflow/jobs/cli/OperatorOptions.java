package io.scanflow.jobs.cli;

import io.scanflow.flink.ScanOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Settings of the keyed model operator every model job shares: bundling, state expiry, live keys. */
public final class OperatorOptions {
    @Option(names = "--bundle-size", defaultValue = "64", paramLabel = "N",
            description = "Records per engine call across keys (default: ${DEFAULT-VALUE}).")
    int bundleSize;

    @Option(names = "--bundle-timeout", defaultValue = "10ms", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A bundle runs at the latest this long after its first record (default: ${DEFAULT-VALUE}).")
    Duration bundleTimeout;

    @Option(names = "--state-ttl", defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Drop the state of keys idle this long (Flink state TTL); 0 keeps it (default: ${DEFAULT-VALUE}).")
    Duration stateTtl;

    @Option(names = "--max-cached-keys", defaultValue = "10000", paramLabel = "N",
            description = "Keys per subtask whose model state stays in an engine slot between bundles (default: ${DEFAULT-VALUE}).")
    int maxCachedKeys;

    /** The operator's options (bad records go to the side output; a command may change that). */
    ScanOptions scanOptions() {
        return ScanOptions.defaults().withBundleSize(bundleSize).withBundleTimeout(bundleTimeout)
                .withStateTtl(stateTtl).withMaxCachedKeys(maxCachedKeys);
    }
}
