package io.scanflow.model.psm.transformer;

import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.psm.transformer.TransformerPsmWeights.Block;
import io.scanflow.model.psm.transformer.TransformerPsmWeights.Stage;
import java.util.Random;

/** Random-weight Transformer-PSMs for tests: the real architecture at a size that runs fast. */
final class TinyTransformerPsm {

    private TinyTransformerPsm() {
    }

    /** V 5, d 8, 2 heads, f 16, one block per stage. */
    static TransformerPsmConfig config(int chunkSize, int maxChunksLog2) {
        return new TransformerPsmConfig(5, 8, 2, chunkSize, 16, 1, 1, 1, 1e-5f, false, maxChunksLog2);
    }

    static TransformerPsm random(TransformerPsmConfig cfg, long seed) {
        Random r = new Random(seed);
        int v = cfg.vocabSize(), d = cfg.hiddenSize(), c = cfg.chunkSize();
        float[] embedding = gaussian(r, v * d, 1.0);
        float[] identity = gaussian(r, c * d, 1.0);
        Stage enc = stage(r, cfg, c, cfg.encLayers());
        Stage agg = stage(r, cfg, 2 * c, cfg.aggLayers());
        Stage inf = stage(r, cfg, 2 * c, cfg.infLayers());
        float[] lmHead = cfg.tieEmbeddings() ? embedding : gaussian(r, v * d, 1.0);
        return new TransformerPsm(cfg, new TransformerPsmWeights(embedding, identity, enc, agg, inf, lmHead));
    }

    private static Stage stage(Random r, TransformerPsmConfig cfg, int rows, int layers) {
        int d = cfg.hiddenSize(), f = cfg.intermediateSize();
        Block[] blocks = new Block[layers];
        for (int i = 0; i < layers; i++) {
            blocks[i] = new Block(norm(r, d), gaussian(r, d * d, 1.5 / Math.sqrt(d)), gaussian(r, d * d, 1.5 / Math.sqrt(d)),
                    gaussian(r, d * d, 1 / Math.sqrt(d)), gaussian(r, d * d, 1 / Math.sqrt(d)), norm(r, d),
                    gaussian(r, f * d, 1 / Math.sqrt(d)), gaussian(r, d * f, 1 / Math.sqrt(f)));
        }
        return new Stage(gaussian(r, rows * d, 0.5), blocks, norm(r, d));
    }

    private static float[] norm(Random r, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (1 + 0.2 * r.nextGaussian());
        }
        return w;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (scale * r.nextGaussian());
        }
        return w;
    }
}
