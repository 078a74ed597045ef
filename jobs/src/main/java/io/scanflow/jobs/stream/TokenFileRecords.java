package io.scanflow.jobs.stream;

import io.scanflow.flink.ScanInput;
import java.util.Arrays;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The records of a token file, int32 {@code [B, L]}: each sequence is one key (its index, {@code "0"} to
 * {@code "B-1"}), cut into records of {@code recordTokens} tokens; the last record of a sequence ends
 * its stream. Record {@code i} is chunk {@code i / B} of sequence {@code i % B}, so all keys advance
 * together and their records share bundles.
 *
 * <p>With {@link #withDemand} the file's records are followed by that many blocks of demand records, one
 * per key each ({@link ScanInput#demand}): a generation job's sessions then advance as the demand arrives,
 * so the source stays open, and checkpoints go on, while they run.
 *
 * <p>The source is Flink's {@link DataGeneratorSource}: its only state is the next record index, in
 * every checkpoint, so a restored job replays exactly the records after the checkpoint. It runs with
 * parallelism 1, which keeps each key's records in order. The file is read (through Flink's file
 * systems) when the source opens, on the TaskManager, so it must be reachable there.
 */
public final class TokenFileRecords implements GeneratorFunction<Long, ScanInput> {
    private static final long serialVersionUID = 1L;

    private final String uri;
    private final int batch;
    private final int length;
    private final int recordTokens;
    private final int vocab;
    private final int demandRounds;
    private transient int[][] sequences;

    public TokenFileRecords(String uri, int batch, int length, int recordTokens, int vocab) {
        this(uri, batch, length, recordTokens, vocab, 0);
    }

    private TokenFileRecords(String uri, int batch, int length, int recordTokens, int vocab, int demandRounds) {
        if (recordTokens < 1) {
            throw new IllegalArgumentException("tokens per record must be positive, found " + recordTokens);
        }
        if (demandRounds < 0) {
            throw new IllegalArgumentException("demand rounds must not be negative, found " + demandRounds);
        }
        this.uri = uri;
        this.batch = batch;
        this.length = length;
        this.recordTokens = recordTokens;
        this.vocab = vocab;
        this.demandRounds = demandRounds;
    }

    /** The same records followed by {@code rounds} demand records per key, key by key in each round. */
    public TokenFileRecords withDemand(int rounds) {
        return new TokenFileRecords(uri, batch, length, recordTokens, vocab, rounds);
    }

    /** Records of a file of {@code batch} sequences of {@code length} tokens. */
    public static long records(int batch, int length, int recordTokens) {
        return (long) batch * chunksPerSequence(length, recordTokens);
    }

    /** All records this source sends: the file's, then the demand. */
    public long count() {
        return records(batch, length, recordTokens) + (long) batch * demandRounds;
    }

    static int chunksPerSequence(int length, int recordTokens) {
        return (int) (((long) length + recordTokens - 1) / recordTokens); // long: recordTokens may be near 2^31
    }

    /**
     * The source stream, paced by {@code pacing} (for example a rate, so that a finite file can stand in
     * for a live stream).
     */
    public static DataStream<ScanInput> stream(StreamExecutionEnvironment env, TokenFileRecords records,
                                               RateLimiterStrategy<?> pacing) {
        DataGeneratorSource<ScanInput> source = new DataGeneratorSource<>(records, records.count(), pacing,
                TypeInformation.of(ScanInput.class));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "token file")
                .setParallelism(1).uid("token-file");
    }

    @Override
    public void open(SourceReaderContext readerContext) throws Exception {
        sequences = TokenFile.parse(uri, Locations.readAll(uri), batch, vocab);
        if (sequences[0].length != length) {
            throw new IllegalStateException(uri + " changed since the job was submitted: sequences of "
                    + sequences[0].length + " tokens, expected " + length);
        }
    }

    @Override
    public ScanInput map(Long index) {
        long fileRecords = records(batch, length, recordTokens);
        if (index >= fileRecords) {
            return ScanInput.demand(Integer.toString((int) ((index - fileRecords) % batch)), index);
        }
        int i = Math.toIntExact(index);
        int sequence = i % batch;
        int from = i / batch * recordTokens;
        int to = (int) Math.min(length, (long) from + recordTokens);
        int[] tokens = Arrays.copyOfRange(sequences[sequence], from, to);
        return new ScanInput(Integer.toString(sequence), tokens, null, to == length, i);
    }
}
