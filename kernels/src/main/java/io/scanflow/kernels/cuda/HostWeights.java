package io.scanflow.kernels.cuda;

import io.scanflow.model.config.CheckpointLayout;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.weights.Checkpoint;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's weights as float32 arrays under canonical names, read from the checkpoint the way the
 * reference models read it (the same tensors, shapes, order and derived values), for upload to a GPU.
 *
 * <p>It also recomputes the reference loader's fingerprint (FNV-1a over the config, every tensor name and
 * every value, in reading order); {@link #requireFingerprint} checks that it equals the model's, which
 * proves this loader mirrors the reference one tensor for tensor.
 *
 * <p>Names: {@code embedding}, {@code norm_f}, {@code lm_head} (absent when tied) and per layer
 * {@code i.norm}, {@code i.in_proj}, {@code i.in_proj_bias}, {@code i.conv_w}, {@code i.conv_b},
 * {@code i.out_proj}, {@code i.out_proj_bias}, {@code i.D}; Mamba-1 adds {@code i.x_proj},
 * {@code i.dt_proj}, {@code i.dt_bias}, {@code i.A2} = -exp(A_log) log2(e) [E, N]; Mamba-2 adds
 * {@code i.dt_bias}, {@code i.negA} = -exp(A_log) [H], {@code i.negA2} = negA log2(e),
 * {@code i.gated_norm}. Optional tensors the config says are absent are simply missing.
 */
final class HostWeights {
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final double LOG2E = 1.4426950408889634;

    final ModelConfig config;
    final Map<String, float[]> tensors = new LinkedHashMap<>();
    private long hash = 0xcbf29ce484222325L;

    private HostWeights(ModelConfig config) {
        this.config = config;
        mix(config.toString());
    }

    static HostWeights load(Path modelDir, ModelConfig config) {
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            HostWeights w = new HostWeights(config);
            if (config instanceof MambaConfig) {
                w.loadMamba1((MambaConfig) config, checkpoint);
            } else {
                w.loadMamba2((Mamba2Config) config, checkpoint);
            }
            return w;
        }
    }

    long fingerprint() {
        return hash;
    }

    void requireFingerprint(long expected) {
        if (hash != expected) {
            throw new IllegalStateException(String.format("the CUDA weight loader read other weights than the model"
                    + " (fingerprint %016x, model %016x): it no longer mirrors the reference loader", hash, expected));
        }
    }

    float[] get(String name) {
        return tensors.get(name);
    }

    private void loadMamba1(MambaConfig cfg, Checkpoint ck) {
        CheckpointLayout layout = cfg.layout();
        int v = cfg.vocabSize(), d = cfg.hiddenSize(), e = cfg.intermediateSize(), n = cfg.stateSize();
        int k = cfg.convKernel(), r = cfg.dtRank();
        float[] embedding = read(ck, layout.embeddingTensor(), v, d);
        tensors.put("embedding", embedding);
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = layout.layerPrefix(i);
            String m = p + "mixer.";
            float[] aLog = read(ck, m + "A_log", e, n);
            float[] a2 = new float[aLog.length];
            for (int j = 0; j < aLog.length; j++) {
                float negA = (float) -Math.exp(aLog[j]);
                a2[j] = (float) (negA * LOG2E);
            }
            put(i, "norm", read(ck, p + "norm.weight", d));
            put(i, "in_proj", read(ck, m + "in_proj.weight", 2L * e, d));
            put(i, "in_proj_bias", cfg.useBias() ? read(ck, m + "in_proj.bias", 2L * e) : null);
            put(i, "conv_w", read(ck, m + "conv1d.weight", e, 1, k));
            put(i, "conv_b", cfg.useConvBias() ? read(ck, m + "conv1d.bias", e) : null);
            put(i, "x_proj", read(ck, m + "x_proj.weight", r + 2L * n, e));
            put(i, "dt_proj", read(ck, m + "dt_proj.weight", e, r));
            put(i, "dt_bias", read(ck, m + "dt_proj.bias", e));
            put(i, "A2", a2);
            put(i, "D", read(ck, m + "D", e));
            put(i, "out_proj", read(ck, m + "out_proj.weight", d, e));
            put(i, "out_proj_bias", cfg.useBias() ? read(ck, m + "out_proj.bias", d) : null);
        }
        tensors.put("norm_f", read(ck, layout.finalNormTensor(), d));
        lmHead(ck, cfg);
    }

    private void loadMamba2(Mamba2Config cfg, Checkpoint ck) {
        CheckpointLayout layout = cfg.layout();
        int v = cfg.vocabSize(), d = cfg.hiddenSize(), e = cfg.intermediateSize(), h = cfg.numHeads();
        int conv = cfg.convDim();
        tensors.put("embedding", read(ck, layout.embeddingTensor(), v, d));
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = layout.layerPrefix(i);
            String m = p + "mixer.";
            float[] aLog = read(ck, m + "A_log", h);
            float[] negA = new float[h];
            float[] negA2 = new float[h];
            for (int j = 0; j < h; j++) {
                negA[j] = (float) -Math.exp(aLog[j]);
                negA2[j] = (float) (negA[j] * LOG2E);
            }
            put(i, "norm", read(ck, p + "norm.weight", d));
            put(i, "in_proj", read(ck, m + "in_proj.weight", cfg.inProjSize(), d));
            put(i, "in_proj_bias", cfg.useBias() ? read(ck, m + "in_proj.bias", cfg.inProjSize()) : null);
            put(i, "conv_w", read(ck, m + "conv1d.weight", conv, 1, cfg.convKernel()));
            put(i, "conv_b", cfg.useConvBias() ? read(ck, m + "conv1d.bias", conv) : null);
            put(i, "dt_bias", read(ck, m + "dt_bias", h));
            put(i, "negA", negA);
            put(i, "negA2", negA2);
            put(i, "D", read(ck, m + "D", h));
            put(i, "gated_norm", read(ck, m + "norm.weight", e));
            put(i, "out_proj", read(ck, m + "out_proj.weight", d, e));
            put(i, "out_proj_bias", cfg.useBias() ? read(ck, m + "out_proj.bias", d) : null);
        }
        tensors.put("norm_f", read(ck, layout.finalNormTensor(), d));
        lmHead(ck, cfg);
    }

    /** As the reference: tied heads reuse the embedding (a stored tied copy is read and checked anyway). */
    private void lmHead(Checkpoint ck, ModelConfig cfg) {
        String name = cfg.layout().lmHeadTensor();
        if (cfg.tieEmbeddings()) {
            if (ck.contains(name)) {
                read(ck, name, cfg.vocabSize(), cfg.hiddenSize());
            }
        } else {
            tensors.put("lm_head", read(ck, name, cfg.vocabSize(), cfg.hiddenSize()));
        }
    }

    private void put(int layer, String name, float[] value) {
        if (value != null) {
            tensors.put(layer + "." + name, value);
        }
    }

    private float[] read(Checkpoint ck, String name, long... shape) {
        float[] values = ck.floats(name, shape);
        mix(name);
        for (float v : values) {
            hash = (hash ^ Float.floatToRawIntBits(v)) * FNV_PRIME;
        }
        return values;
    }

    private void mix(String s) {
        for (int i = 0; i < s.length(); i++) {
            hash = (hash ^ s.charAt(i)) * FNV_PRIME;
        }
    }
}
