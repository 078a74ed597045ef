package io.scanflow.jobs.cli;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.sampling.RandomState;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.sampling.SamplingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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

    @Mixin
    DecodingOptions decoding;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Raw little-endian int32 [B, L+N].")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxNew < 0) {
            throw new IllegalArgumentException("--max-new must be >= 0, found " + maxNew);
        }
        CliFiles.requireWritableFile("--out", out);
        SamplingConfig config = decoding.config();
        long seed = decoding.sampling() ? decoding.seed() : 0;
        long start = System.nanoTime();
        SequenceModel model = modelOptions.load();
        int v = model.vocabSize();
        int[][] prompts = TokenFiles.readTokens(tokens, batch, v);
        int promptLength = prompts[0].length;
        Limits.array("--max-new " + maxNew + ": a sequence of prompt and new tokens", (long) promptLength + maxNew);
        Limits.heap("--batch " + batch + " --max-new " + maxNew + ": the output [B, L+N] int32",
                4.0 * batch * (promptLength + maxNew));
        Limits.disk("--batch " + batch + " --max-new " + maxNew + ": the output", out.toAbsolutePath().getParent(),
                4.0 * batch * (promptLength + maxNew));
        int[][] result = new int[batch][promptLength + maxNew];
        Sampler sampler = new Sampler(config, v);
        RandomState[] rngs = new RandomState[batch];
        for (int b = 0; b < batch; b++) {
            // One generator per sequence, so a sequence's samples do not depend on the batch it ran in.
            rngs[b] = new RandomState(new RandomState(seed ^ (0x9E3779B97F4A7C15L * (b + 1))).nextLong());
            System.arraycopy(prompts[b], 0, result[b], 0, promptLength);
        }
        try (Engine engine = modelOptions.openEngine(model, Math.max(Math.min(chunk, promptLength), batch))) {
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
        double seconds = (System.nanoTime() - start) / 1e9;
        long generated = (long) batch * maxNew;
        new Summary("scanflow generate: done")
                .row("sequences", String.valueOf(batch))
                .row("prompt tokens", String.format("%,d", (long) batch * promptLength))
                .row("generated tokens", String.format("%,d", generated))
                .row("time", String.format("%.2f s", seconds))
                .row("throughput", Summary.rate(generated, seconds) + " generated tokens/s")
                .row("engine", modelOptions.describeEngine())
                .row("output", out.toString())
                .print(spec.commandLine().getOut());
        return 0;
    }
}
