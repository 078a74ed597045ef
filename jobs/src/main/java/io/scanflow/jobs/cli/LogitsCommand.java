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

    /** Logits held at once (all sequences, a run of positions): 64 Mi floats, 256 MiB. */
    private static final long ROW_BUDGET = 64L << 20;

    @Override
    public Integer call() throws Exception {
        if (chunk <= 0) {
            throw new IllegalArgumentException("--chunk must be positive, found " + chunk);
        }
        CliFiles.requireWritableFile("--out", out);
        long start = System.nanoTime();
        SequenceModel model = modelOptions.load();
        int[][] seqs = TokenFiles.readTokens(tokens, batch, model.vocabSize());
        int length = seqs[0].length;
        int vocab = model.vocabSize();
        Limits.disk("the logits [" + batch + ", " + length + ", " + vocab + "] float32", out.toAbsolutePath().getParent(),
                4.0 * batch * length * vocab);
        // The logits go to the file a chunk of positions at a time, so the output may be larger than the heap.
        int rows = (int) Math.max(1, Math.min(Math.min(chunk, length), ROW_BUDGET / ((long) batch * vocab)));
        Limits.heap("--batch " + batch + ": one position's logits of every sequence", 4.0 * batch * vocab);
        try (Engine engine = modelOptions.openEngine(model, rows);
             LogitsFile file = new LogitsFile(out, batch, length, vocab)) {
            int[] slots = new int[batch];
            for (int i = 0; i < batch; i++) {
                slots[i] = engine.openSlot();
            }
            for (int from = 0; from < length; from += rows) {
                int to = Math.min(length, from + rows);
                int[][] part = new int[batch][];
                float[][] logits = new float[batch][(to - from) * vocab];
                for (int b = 0; b < batch; b++) {
                    part[b] = java.util.Arrays.copyOfRange(seqs[b], from, to);
                }
                engine.prefill(slots, part, Output.ALL_LOGITS, logits);
                file.write(from, logits);
            }
        }
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
