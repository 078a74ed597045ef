package io.scanflow.jobs.cli;

import io.scanflow.model.sampling.SamplingConfig;
import picocli.CommandLine.Option;

/**
 * How tokens are picked: {@code --greedy} (the default), or sampling with {@code --temperature} and
 * optionally {@code --top-k}, {@code --top-p}, {@code --seed}.
 *
 * <p>Plain options rather than a picocli argument group, so that each of them can also come from the
 * config file; {@link #check()} enforces the combinations.
 */
public final class DecodingOptions {
    @Option(names = "--greedy", description = "Pick the most likely token (the default).")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sample with this softmax temperature (> 0).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "With --temperature: keep the K most likely tokens (default 0: all).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "With --temperature: nucleus mass to keep (default 1: all).")
    Float topP;

    @Option(names = "--seed", paramLabel = "S", description = "With --temperature: random seed (default 0).")
    Long seed;

    /** Throws a usage error for combinations that mean nothing. */
    void check() {
        if (greedy && temperature != null) {
            throw new UsageError("--greedy and --temperature exclude each other");
        }
        if (temperature == null && (topK != null || topP != null || seed != null)) {
            throw new UsageError("--top-k, --top-p and --seed need --temperature");
        }
    }

    boolean sampling() {
        check();
        return temperature != null;
    }

    SamplingConfig config() {
        return sampling() ? SamplingConfig.of(temperature, topK(), topP()) : SamplingConfig.greedyDecoding();
    }

    int topK() {
        return topK == null ? 0 : topK;
    }

    float topP() {
        return topP == null ? 1f : topP;
    }

    long seed() {
        return seed == null ? 0 : seed;
    }
}
