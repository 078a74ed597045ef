package io.scanflow.flink.operator;

import io.scanflow.flink.Generate;
import io.scanflow.flink.GeneratedToken;
import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanOptions;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Generation with one {@link GeneratedToken} per sampled token, emitted in the order single-token rounds
 * would emit them (token by token across the round's sessions).
 */
final class TokenGenerateOperator extends GenerateOperator<GeneratedToken> {
    private static final long serialVersionUID = 1L;

    TokenGenerateOperator(StreamOperatorParameters<GeneratedToken> parameters, ModelSpec spec, ScanOptions options,
                          Generate mode) {
        super(parameters, spec, options, mode);
    }

    @Override
    protected void emitFirst(KeyEntry e, long position, int token, boolean last) {
        emit(new GeneratedToken(e.key, e.sessionId, 0, position, token, e.sessionEventTime, last), e.sessionTimestamp);
    }

    @Override
    protected void emitRound(KeyEntry[] call, int n, int tokens, int[] out, int[] firstIndex, long[] firstPosition,
                             boolean[] ended) {
        for (int t = 0; t < tokens; t++) {
            boolean lastOfRound = t == tokens - 1;
            for (int i = 0; i < n; i++) {
                KeyEntry e = call[i];
                emit(new GeneratedToken(e.key, e.sessionId, firstIndex[i] + t, firstPosition[i] + t,
                        out[i * tokens + t], e.sessionEventTime, lastOfRound && ended[i]), e.sessionTimestamp);
            }
        }
    }
}
