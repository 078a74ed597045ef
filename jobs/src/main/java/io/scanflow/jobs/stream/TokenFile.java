package io.scanflow.jobs.stream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The token file format of the command line: raw little-endian int32 {@code [B, L]}, B sequences of L tokens. */
public final class TokenFile {
    private TokenFile() {}

    /**
     * Parses {@code data} as int32 {@code [batch, L]} and checks the size and every token against the
     * vocabulary; errors name the source, the record (sequence) and the position.
     */
    public static int[][] parse(String source, byte[] data, int batch, int vocab) {
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be positive, found " + batch);
        }
        long size = data.length;
        if (size % 4 != 0 || size / 4 % batch != 0 || size == 0) {
            throw new IllegalArgumentException(source + ": " + size + " bytes is not int32 [" + batch + ", L] for any L >= 1");
        }
        int length = Math.toIntExact(size / 4 / batch);
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int[][] tokens = new int[batch][length];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < length; t++) {
                int v = b.getInt();
                if (v < 0 || v >= vocab) {
                    throw new IllegalArgumentException(source + ": record " + i + ", position " + t + ": token " + v
                            + " is outside the model's vocabulary [0, " + vocab + ")");
                }
                tokens[i][t] = v;
            }
        }
        return tokens;
    }

    /** Rows of equal or different lengths as raw little-endian int32, row after row. */
    public static byte[] encode(int[][] rows) {
        int n = 0;
        for (int[] row : rows) {
            n += row.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] row : rows) {
            for (int v : row) {
                b.putInt(v);
            }
        }
        return b.array();
    }
}
