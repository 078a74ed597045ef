package io.scanflow.jobs.cli;

import io.scanflow.flink.Classify;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanInput;
import io.scanflow.flink.ScanOperators;
import io.scanflow.flink.ScanOptions;
import io.scanflow.jobs.stream.Locations;
import io.scanflow.jobs.stream.TokenFileRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Classification as a Flink streaming job: every sequence of the token file is one key, fed in
 * records of {@code --chunk} tokens through the keyed classify operator; a prediction (the most likely
 * next token and its probability) at the end of each sequence, of each record, or every N tokens.
 */
@Command(name = "stream-classify", mixinStandardHelpOptions = true,
        description = {"Classify token streams in a Flink streaming job: each sequence of an int32 [B, L] file is one"
                + " key, fed in records of --chunk tokens, its model state in Flink's keyed state.",
                "A prediction is the most likely next token (label) and its probability: at the end of each sequence"
                        + " (the default), of each record (--per-chunk) or every N tokens (--window N).",
                "Writes OUT/predictions.tsv: sequence, position, label, probability, sorted by sequence and position."})
final class StreamClassifyCommand extends TokenStreamCommand {
    static final String RESULT = "predictions.tsv";

    @Option(names = "--chunk", defaultValue = "256", paramLabel = "N",
            description = "Tokens per input record, and per engine pass (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--per-chunk", description = "A prediction at the end of every record.")
    boolean perChunk;

    @Option(names = "--window", paramLabel = "N", description = "A prediction at every N-th token of a sequence.")
    Integer window;

    @Override
    void check(int length) {
        if (perChunk && window != null) {
            throw new UsageError("--per-chunk and --window exclude each other");
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("--chunk must be positive, found " + chunk);
        }
        if (window != null && window < 1) {
            throw new IllegalArgumentException("--window must be positive, found " + window);
        }
    }

    private Classify mode() {
        if (perChunk) {
            return Classify.perChunk();
        }
        return window != null ? Classify.perWindow(window) : Classify.atEndOfStream();
    }

    @Override
    int recordTokens(int length) {
        return chunk;
    }

    @Override
    int engineChunk(int length) {
        return Math.min(chunk, length); // the engine's buffers never exceed the longest sequence
    }

    @Override
    long expectedOutputs(int length) {
        if (perChunk) {
            return TokenFileRecords.records(batch, length, chunk);
        }
        return window != null ? (long) batch * (length / window) : batch;
    }

    @Override
    String outputUnit() {
        return "predictions";
    }

    @Override
    String resultName() {
        return RESULT;
    }

    @Override
    SingleOutputStreamOperator<?> model(KeyedStream<ScanInput, String> keyed, ModelSpec model, ScanOptions options) {
        return ScanOperators.predictNextToken(keyed, model, mode(), options).uid("classify");
    }

    @Override
    void writeResult(List<String> lines, int[][] sequences, String resultUri) throws Exception {
        long expected = expectedOutputs(sequences[0].length);
        List<String[]> rows = new ArrayList<>(lines.size());
        for (String line : lines) {
            // key, position, label, probability, trigger
            String[] f = line.split("\t");
            if (f.length != 5) {
                throw new IllegalStateException("unexpected output line '" + line + "'");
            }
            rows.add(f);
        }
        rows.sort(Comparator.<String[]>comparingInt(f -> Integer.parseInt(f[0])).thenComparingLong(f -> Long.parseLong(f[1])));
        StringBuilder text = new StringBuilder("sequence\tposition\tlabel\tprobability\n");
        for (int i = 0; i < rows.size(); i++) {
            String[] f = rows.get(i);
            if (i > 0 && f[0].equals(rows.get(i - 1)[0]) && f[1].equals(rows.get(i - 1)[1])) {
                throw new IllegalStateException("prediction of sequence " + f[0] + " at position " + f[1] + " is there twice");
            }
            text.append(f[0]).append('\t').append(f[1]).append('\t').append(f[2]).append('\t').append(f[3]).append('\n');
        }
        if (rows.size() != expected) {
            throw new IllegalStateException("output incomplete: " + rows.size() + " of " + expected + " predictions");
        }
        Locations.write(resultUri, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
