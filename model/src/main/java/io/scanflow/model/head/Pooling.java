package io.scanflow.model.head;

/** How a sequence's final hidden states [length, hidden] become one vector [hidden]. */
public enum Pooling {
    /** The mean over all positions. */
    MEAN,
    /** The last position's hidden state. */
    LAST;

    /** The name used in {@code head.json}. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Pools {@code length} rows of {@code hidden} floats.
     *
     * @param states [length, hidden] row-major from {@code offset}
     * @param out    receives [hidden]
     */
    public void pool(float[] states, int offset, int length, int hidden, float[] out) {
        if (length < 1) {
            throw new IllegalArgumentException("cannot pool an empty sequence");
        }
        if (this == LAST) {
            System.arraycopy(states, offset + (length - 1) * hidden, out, 0, hidden);
            return;
        }
        double[] sum = new double[hidden];
        for (int t = 0; t < length; t++) {
            int row = offset + t * hidden;
            for (int i = 0; i < hidden; i++) {
                sum[i] += states[row + i];
            }
        }
        for (int i = 0; i < hidden; i++) {
            out[i] = (float) (sum[i] / length);
        }
    }
}
