package io.scanflow.jobs.cli;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Continues a batch of prompts: one prefill bundle, then one batched step per new token. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate continuations: int32 [B, L] prompts in, int32 [B, L+N] (prompt, then new tokens) out.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokens", required = true, paramLabel = "FILE", description = "Prompts, raw little-endian int32 [B, L].")
    Path tokens;

    @Option(names = "--batch", required = true, paramLabel = "B", description = "Number of prompts in the file.")
    int batch;

    @Option(names = "--max-new", required = true, paramLabel = "N", description = "Tokens to generate per prompt.")
    int maxNew;

    @Option(names = "--chunk", defaultValue = "256", paramLabel = "N", description = "Prefill chunk length (default: ${DEFAULT-VALUE}).")
    int chunk;

    @ArgGroup(exclusive = true)
    Decoding decoding = new Decoding();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Raw little-endian int32 [B, L+N].")
    Path out;

    static final class Decoding {
        @Option(names = "--greedy", description = "Pick the most likely token (the default).")
        boolean greedy;

        @ArgGroup(exclusive = false)
        Sampling sampling;
    }

    static final class Sampling {
        @Option(names = "--temperature", required = true, paramLabel = "T", description = "Softmax temperature (> 0).")
        float temperature;

        @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens (0: all).")
        int topK;

        @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", description = "Nucleus mass to keep (1: all).")
        float topP;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;
    }

    @Override
    public Integer call() throws Exception {
        if (maxNew < 0) {
            throw new IllegalArgumentException("--max-new must be >= 0, found " + maxNew);
        }
        SamplingConfig config = decoding.sampling == null
                ? SamplingConfig.greedyDecoding()
                : SamplingConfig.of(decoding.sampling.temperature, decoding.sampling.topK, decoding.sampling.topP);
        long seed = decoding.sampling == null ? 0 : decoding.sampling.seed;
        SequenceModel model = modelOptions.load();
        int v = model.vocabSize();
        int[][] prompts = TokenFiles.readTokens(tokens, batch, v);
        int promptLength = prompts[0].length;
        int[][] result = new int[batch][promptLength + maxNew];
        Sampler sampler = new Sampler(config, v);
        RandomState[] rngs = new RandomState[batch];
        for (int b = 0; b < batch; b++) {
            // One generator per sequence, so a sequence's samples do not depend on the batch it ran in.
            rngs[b] = new RandomState(new RandomState(seed ^ (0x9E3779B97F4A7C15L * (b + 1))).nextLong());
            System.arraycopy(prompts[b], 0, result[b], 0, promptLength);
        }
        try (Engine engine = modelOptions.openEngine(model, Math.max(chunk, batch))) {
            int[] slots = new int[batch];
            float[][] last = new float[batch][v];
            for (int b = 0; b < batch; b++) {
                slots[b] = engine.openSlot();
            }
            engine.prefill(slots, prompts, Output.LAST_LOGITS, last);
            float[] logits = new float[batch * v];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(last[b], 0, logits, b * v, v);
            }
            int[] next = new int[batch];
            for (int i = 0; i < maxNew; i++) {
                for (int b = 0; b < batch; b++) {
                    next[b] = sampler.sample(logits, b * v, v, rngs[b]);
                    result[b][promptLength + i] = next[b];
                }
                if (i + 1 < maxNew) {
                    engine.step(slots, next, batch, Output.LAST_LOGITS, logits);
                }
            }
        }
        TokenFiles.writeInts(out, result);
        return 0;
    }
}
