package io.scanflow.flink.operator;

import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedChunk;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanOptions;
import java.util.Arrays;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Generation with one {@link GeneratedChunk} per session per round: thousands of sessions at audio rates
 * produce tens of millions of tokens a second, far more records than a Flink job moves, but only a few
 * thousand rounds' worth of chunks.
 */
final class ChunkGenerateOperator extends GenerateOperator<GeneratedChunk> {
    private static final long serialVersionUID = 1L;

    ChunkGenerateOperator(StreamOperatorParameters<GeneratedChunk> parameters, ModelSpec spec, ScanOptions options,
                          Generate mode) {
        super(parameters, spec, options, mode);
    }

    @Override
    protected void emitFirst(KeyEntry e, long position, int token, boolean last) {
        emit(new GeneratedChunk(e.key, e.sessionId, 0, position, new int[] {token}, e.sessionEventTime, last),
                e.sessionTimestamp);
    }

    @Override
    protected void emitRound(KeyEntry[] call, int n, int tokens, int[] out, int[] firstIndex, long[] firstPosition,
                             boolean[] ended) {
        for (int i = 0; i < n; i++) {
            KeyEntry e = call[i];
            emit(new GeneratedChunk(e.key, e.sessionId, firstIndex[i], firstPosition[i],
                    Arrays.copyOfRange(out, i * tokens, (i + 1) * tokens), e.sessionEventTime, ended[i]),
                    e.sessionTimestamp);
        }
    }
}
