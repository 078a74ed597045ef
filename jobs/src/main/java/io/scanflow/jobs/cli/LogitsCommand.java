package io.scanflow.jobs.cli;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Logits at every position of a batch of sequences, through one prefill bundle. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of every position: int32 [B, L] tokens in, float32 [B, L, V] out.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokens", required = true, paramLabel = "FILE", description = "Raw little-endian int32 [B, L].")
    Path tokens;

    @Option(names = "--batch", required = true, paramLabel = "B", description = "Number of sequences in the file.")
    int batch;

    @Option(names = "--chunk", defaultValue = "256", paramLabel = "N",
            description = "Prefill chunk length; the state is carried between chunks (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Raw little-endian float32 [B, L, V].")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (chunk <= 0) {
            throw new IllegalArgumentException("--chunk must be positive, found " + chunk);
        }
        CliFiles.requireWritableFile("--out", out);
        long start = System.nanoTime();
        SequenceModel model = modelOptions.load();
        int[][] seqs = TokenFiles.readTokens(tokens, batch, model.vocabSize());
        float[][] logits = new float[batch][seqs[0].length * model.vocabSize()];
        try (Engine engine = modelOptions.openEngine(model, chunk)) {
            int[] slots = new int[batch];
            for (int i = 0; i < batch; i++) {
                slots[i] = engine.openSlot();
            }
            engine.prefill(slots, seqs, Output.ALL_LOGITS, logits);
        }
        TokenFiles.writeFloats(out, logits);
        double seconds = (System.nanoTime() - start) / 1e9;
        long tokens = (long) batch * seqs[0].length;
        new Summary("scanflow logits: done")
                .row("sequences", String.valueOf(batch))
                .row("tokens", String.format("%,d", tokens))
                .row("time", String.format("%.2f s", seconds))
                .row("throughput", Summary.rate(tokens, seconds) + " tokens/s")
                .row("engine", modelOptions.describeEngine())
                .row("output", out + " (float32 [" + batch + ", " + seqs[0].length + ", " + model.vocabSize() + "])")
                .print(spec.commandLine().getOut());
        return 0;
    }
}
