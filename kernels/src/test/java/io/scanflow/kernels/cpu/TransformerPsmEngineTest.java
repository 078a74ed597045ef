package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scanflow.kernels.Output;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The trained Transformer-PSM runs through the CPU engine like any model: a stream prefilled in one
 * call, in pieces, or token by token in a batched step (with a state save/load in the middle) gives
 * the same logits bit for bit, because the streaming scan applies Agg in one fixed bracket order.
 */
class TransformerPsmEngineTest {
    private static final Path MODEL = Fixture.root().resolve("..").resolve("models").resolve("transformer-psm");

    @Test
    void prefillPiecesAndBatchedStepsGiveIdenticalLogits() {
        SequenceModel model = CpuEngine.loadModel(MODEL);
        int v = model.vocabSize();
        int n = 23;
        int[][] seqs = new int[3][n];
        for (int k = 0; k < 3; k++) {
            for (int t = 0; t < n; t++) {
                seqs[k][t] = (t * 7 + k * 3 + 1) % v;
            }
        }
        try (CpuEngine whole = new CpuEngine(model, 2, 64); CpuEngine stepped = new CpuEngine(model, 2, 64)) {
            int[] a = {whole.openSlot(), whole.openSlot(), whole.openSlot()};
            float[][] all = new float[3][n * v];
            whole.prefill(a, seqs, Output.ALL_LOGITS, all);

            int[] b = {stepped.openSlot(), stepped.openSlot(), stepped.openSlot()};
            float[] row = new float[3 * v];
            int[] tokens = new int[3];
            for (int t = 0; t < n; t++) {
                if (t == 11) {
                    byte[] saved = stepped.saveSlot(b[1]);
                    stepped.resetSlot(b[1]);
                    stepped.loadSlot(b[1], saved);
                    assertEquals(11, stepped.position(b[1]));
                }
                for (int k = 0; k < 3; k++) {
                    tokens[k] = seqs[k][t];
                }
                stepped.step(b, tokens, 3, Output.LAST_LOGITS, row);
                for (int k = 0; k < 3; k++) {
                    assertArrayEquals(Arrays.copyOfRange(all[k], t * v, (t + 1) * v), Arrays.copyOfRange(row, k * v, (k + 1) * v),
                            "stream " + k + " token " + t);
                }
            }
        }
    }
}
