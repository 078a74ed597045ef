package io.scanflow.model.head;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A linear classifier over a pooled hidden state: logits {@code z = W h + b}, probabilities
 * {@code softmax(z)}. Immutable and thread-safe; methods write into caller-owned arrays.
 *
 * @see ClassificationHeads#load(java.nio.file.Path) the on-disk format
 */
public final class ClassificationHead {
    private final List<String> labels;
    private final Pooling pooling;
    private final int hidden;
    private final float[] weight;
    private final float[] bias;

    /**
     * @param weight [labels, hidden] row-major
     * @param bias   [labels]
     */
    public ClassificationHead(List<String> labels, Pooling pooling, int hidden, float[] weight, float[] bias) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a head needs at least one label");
        }
        Set<String> seen = new HashSet<>();
        for (String label : labels) {
            if (label == null || label.isBlank() || !seen.add(label)) {
                throw new IllegalArgumentException("labels must be distinct and not blank: " + labels);
            }
        }
        if (hidden < 1 || weight.length != labels.size() * hidden || bias.length != labels.size()) {
            throw new IllegalArgumentException("weight must be [" + labels.size() + ", " + hidden + "] and bias ["
                    + labels.size() + "], found " + weight.length + " and " + bias.length + " floats");
        }
        this.labels = Collections.unmodifiableList(List.copyOf(labels));
        this.pooling = pooling;
        this.hidden = hidden;
        this.weight = weight.clone();
        this.bias = bias.clone();
    }

    /** Label names, in the head's output order. */
    public List<String> labels() {
        return labels;
    }

    /** Number of labels. */
    public int numLabels() {
        return labels.size();
    }

    /** How hidden states are pooled before the head. */
    public Pooling pooling() {
        return pooling;
    }

    /** Width of the pooled hidden state the head takes. */
    public int hiddenSize() {
        return hidden;
    }

    /** Label index of a name, or -1. */
    public int indexOf(String label) {
        return labels.indexOf(label);
    }

    /**
     * @param pooled [hidden] from {@code offset}
     * @param out    receives [labels] logits
     */
    public void logits(float[] pooled, int offset, float[] out) {
        for (int k = 0; k < labels.size(); k++) {
            double z = bias[k];
            int row = k * hidden;
            for (int i = 0; i < hidden; i++) {
                z += (double) weight[row + i] * pooled[offset + i];
            }
            out[k] = (float) z;
        }
    }

    /** Probabilities [labels] for a pooled hidden state [hidden]. */
    public float[] probabilities(float[] pooled) {
        float[] p = new float[labels.size()];
        logits(pooled, 0, p);
        softmaxInPlace(p);
        return p;
    }

    /** Numerically stable softmax (the maximum is subtracted first). */
    public static void softmaxInPlace(float[] z) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = Math.exp(z[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (e[i] / sum);
        }
    }

    /** Index of the largest value (the first one on ties). */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "ClassificationHead" + Arrays.asList(pooling.jsonName(), hidden, labels);
    }
}
