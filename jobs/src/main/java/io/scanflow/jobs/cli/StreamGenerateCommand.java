package io.scanflow.jobs.cli;

import io.scanflow.flink.Generate;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.jobs.stream.BlockPacing;
import io.scanflow.jobs.stream.Locations;
import io.scanflow.jobs.stream.TokenFile;
import java.util.List;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Generation as a Flink streaming job: every prompt of the token file is one key and one record, whose
 * generation session runs in the keyed generate operator (state and sampler state in Flink keyed
 * state, sessions of all keys stepped together). The result has the format of {@code generate}.
 */
@Command(name = "stream-generate", mixinStandardHelpOptions = true,
        description = {"Generate continuations in a Flink streaming job: each prompt of an int32 [B, L] file is one key;"
                + " its session runs in Flink's keyed state, checkpointed, exactly once.",
                "Writes OUT/tokens.i32, int32 [B, L+N] (prompt, then new tokens), as generate does."})
final class StreamGenerateCommand extends TokenStreamCommand {
    static final String RESULT = "tokens.i32";

    @Option(names = "--max-new", required = true, paramLabel = "N", description = "Tokens to generate per prompt.")
    int maxNew;

    @Option(names = "--chunk", defaultValue = "256", paramLabel = "N", description = "Prefill chunk length (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--tokens-per-second", defaultValue = "0", paramLabel = "R",
            description = "Real-time pace of each session (0: as fast as possible; default: ${DEFAULT-VALUE}).")
    double tokensPerSecond;

    @Option(names = "--tokens-per-round", defaultValue = "1", paramLabel = "K",
            description = "Tokens each session generates per engine call; the result does not depend on it"
                    + " (default: ${DEFAULT-VALUE}).")
    int tokensPerRound;

    @Mixin
    DecodingOptions decoding;

    @Override
    void check(int length) {
        decoding.check();
        if (maxNew < 1) {
            throw new IllegalArgumentException("--max-new must be at least 1, found " + maxNew);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("--chunk must be positive, found " + chunk);
        }
        if (tokensPerSecond < 0) {
            throw new IllegalArgumentException("--tokens-per-second must not be negative, found " + tokensPerSecond);
        }
        if (tokensPerRound < 1) {
            throw new IllegalArgumentException("--tokens-per-round must be at least 1, found " + tokensPerRound);
        }
        Limits.array("--max-new " + maxNew + ": a sequence of prompt and new tokens", (long) length + maxNew);
        // The committed lines (about 40 bytes a token) and the merged tokens are held to write tokens.i32.
        Limits.heap("--batch " + batch + " --max-new " + maxNew + ": merging the output", (double) batch * maxNew * 48
                + (double) batch * (length + maxNew) * 4);
        Locations.localPath(out).ifPresent(dir -> Limits.disk("--max-new " + maxNew + ": the output", dir,
                (double) batch * maxNew * 48 * 2));
    }

    @Override
    int recordTokens(int length) {
        return length; // a prompt is one record, so it opens one session
    }

    @Override
    int engineChunk(int length) {
        return Math.min(chunk, length); // the engine's buffers never exceed the longest prompt
    }

    @Override
    long expectedOutputs(int length) {
        return (long) batch * maxNew;
    }

    @Override
    String outputUnit() {
        return "generated tokens";
    }

    @Override
    String resultName() {
        return RESULT;
    }

    /**
     * Sessions on demand unless the prompts are paced (--records-per-second): after the prompts the source
     * sends each key the demand records of its rounds, so it stays open, and checkpoints complete, while
     * the sessions generate. Paced prompts keep the source open themselves; the sessions then run freely
     * and, once the file has ended, the running ones finish at full speed.
     */
    private boolean onDemand() {
        return recordsPerSecond == 0;
    }

    private Generate mode() {
        Generate mode = Generate.tokens(maxNew).withTokensPerRound(tokensPerRound);
        if (onDemand()) {
            mode = mode.onDemand();
        }
        if (decoding.sampling()) {
            mode = mode.withSampling(decoding.temperature, decoding.topK(), decoding.topP()).withSeed(decoding.seed());
        }
        if (tokensPerSecond > 0) {
            mode = mode.atTokensPerSecond(tokensPerSecond);
        }
        return mode;
    }

    @Override
    boolean unalignedCheckpoints() {
        return onDemand();
    }

    @Override
    int demandRounds() {
        return onDemand() ? mode().roundsPerSession() : 0;
    }

    /** On demand at a real-time pace, a round of demand per round's worth of time (the operator paces the tokens). */
    @Override
    RateLimiterStrategy<?> sourcePacing() {
        if (onDemand() && tokensPerSecond > 0) {
            return BlockPacing.sessionRounds(batch, tokensPerRound / tokensPerSecond);
        }
        return super.sourcePacing();
    }

    @Override
    SingleOutputStreamOperator<?> model(KeyedStream<ScanInput, String> keyed, ModelSpec model, ScanOptions options) {
        return ScanOperators.generate(keyed, model, mode(), options).uid("generate");
    }

    @Override
    void writeResult(List<String> lines, int[][] prompts, String resultUri) throws Exception {
        int length = prompts[0].length;
        int[][] result = new int[batch][length + maxNew];
        int[] found = new int[batch];
        boolean[][] seen = new boolean[batch][maxNew];
        for (String line : lines) {
            // key, session, index, position, token, last
            String[] f = line.split("\t");
            int sequence = Integer.parseInt(f[0]);
            int index = Integer.parseInt(f[2]);
            if (sequence < 0 || sequence >= batch || !f[1].equals("0") || index < 0 || index >= maxNew) {
                throw new IllegalStateException("unexpected output line '" + line + "'");
            }
            if (seen[sequence][index]) {
                throw new IllegalStateException("output of sequence " + sequence + ", token " + index + " is there twice");
            }
            seen[sequence][index] = true;
            found[sequence]++;
            result[sequence][length + index] = Integer.parseInt(f[4]);
        }
        for (int b = 0; b < batch; b++) {
            if (found[b] != maxNew) {
                throw new IllegalStateException("output incomplete: sequence " + b + " has " + found[b] + " of " + maxNew
                        + " generated tokens");
            }
            System.arraycopy(prompts[b], 0, result[b], 0, length);
        }
        Locations.write(resultUri, TokenFile.encode(result));
    }
}
