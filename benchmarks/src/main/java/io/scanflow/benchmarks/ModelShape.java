package io.scanflow.benchmarks;

/** The model sizes the benchmarks run at (random weights: speed does not depend on their values). */
public enum ModelShape {
    /** An audio sample-level model: 256 mu-law tokens, hidden 64, 2 layers, state 16. */
    AUDIO(256, 64, 2, 16),
    /** A DNA read classifier: a handful of base tokens, hidden 128, 4 layers, state 16. */
    DNA(16, 128, 4, 16),
    /** The shape of state-spaces/mamba-130m: vocabulary 50280, hidden 768, 24 layers, state 16. */
    MAMBA_130M(50280, 768, 24, 16);

    public final int vocab;
    public final int hidden;
    public final int layers;
    public final int state;

    ModelShape(int vocab, int hidden, int layers, int state) {
        this.vocab = vocab;
        this.hidden = hidden;
        this.layers = layers;
        this.state = state;
    }

    public int inner() {
        return 2 * hidden;
    }

    public int rank() {
        return (hidden + 15) / 16;
    }

    /** Parameters in the layers (what a step streams from memory) and in the tied embedding / head. */
    public long layerParameters() {
        long e = inner(), d = hidden, n = state, r = rank();
        long perLayer = d + 2 * e * d + e * 4 + e + e * (r + 2 * n) + e * r + e + e * n + e + d * e;
        return layers * perLayer + d;
    }

    public long headParameters() {
        return (long) vocab * hidden;
    }

    /** Multiply-adds per token, counting the LM head (2 FLOPs each). */
    public long flopsPerToken() {
        return 2 * (layerParameters() + headParameters()) + 6L * layers * inner() * state;
    }

    public long stateBytes() {
        return 4L * layers * inner() * (state + 3);
    }
}
