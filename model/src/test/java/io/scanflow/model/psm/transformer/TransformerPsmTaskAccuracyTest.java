package io.scanflow.model.psm.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The shipped Transformer-PSM's S3 task accuracy, recomputed with Java inference (the {@link SequenceModel}
 * path an engine runs) on {@value #SEQUENCES} fresh sequences of {@value #LONGEST} tokens drawn from a fixed
 * seed, against the figures its training run quotes ({@code models/transformer-psm/training-results.json},
 * which {@code scanflow models} shows, and docs/psm.md): per-position accuracy over the first L tokens
 * for L = 1, 2, 4 and 8 times the training length, each quoted figure from 512 other sequences of length L,
 * drawn by PyTorch. A model is causal, so the first L outputs of a long sequence are those of a sequence of
 * length L. Also the sign accuracy (docs/psm.md's second table, {@code evaluate_export.py}, 128 sequences).
 *
 * <p>The Java and the quoted figures come from different random sequences, so they differ by sampling
 * error: the tolerance is {@value #STANDARD_ERRORS} standard errors of the difference, from the spread of
 * the per-sequence accuracies measured here and both sample sizes (0.02 to 0.03 for the accuracy; for the
 * sign accuracy 0.002 at length 64, growing to 0.09 at 512, where a sequence keeps or loses its sign as a
 * whole). A model that lost its state would score 1/6 (chance), one that lost the sign 1/2 on it.
 */
class TransformerPsmTaskAccuracyTest {
    static final int SEQUENCES = 64;
    static final int LONGEST = 512;
    static final double STANDARD_ERRORS = 4;
    private static final int QUOTED_SEQUENCES = 512;
    private static final int QUOTED_SIGN_SEQUENCES = 128;
    /** docs/psm.md, "Sign accuracy": evaluate_export.py on 128 sequences per length. */
    private static final double[] QUOTED_SIGN_ACCURACY = {0.9995, 0.9863, 0.9597, 0.8648};

    @Test
    void s3TableMatchesTheTrainingScriptsDefinition() {
        // Python: (p * q)(i) = q(p(i)); (0 2 1) then (1 0 2) maps 0 -> 0 -> 1, 1 -> 2 -> 2, 2 -> 1 -> 0: (1 2 0).
        assertEquals(3, S3Task.product(1, 2));
        assertEquals(4, S3Task.product(2, 1)); // non-abelian
        assertArrayEquals(new int[] {0, 1, 1, 0, 0, 1}, IntStream.range(0, 6).map(S3Task::sign).toArray());
        assertArrayEquals(new int[] {3, 5, 2, 1}, S3Task.labels(new int[] {3, 1, 4, 4})); // state_tracking.py gives the same
    }

    @Test
    void shippedModelReachesItsQuotedAccuracyAtEveryLength() throws IOException {
        Path dir = TransformerPsmParityTest.modelDir();
        SequenceModel model = ModelLoader.load(dir);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        JsonNode results = new ObjectMapper().readTree(dir.resolve("training-results.json").toFile());
        JsonNode attempts = results.get("attempts");
        JsonNode quoted = attempts.get(attempts.size() - 1).get("models").get("transformer_psm").get("accuracy");
        int trained = config.get("trained_length").asInt();
        assertEquals("s3", config.get("task").asText());
        assertEquals(LONGEST, 8 * trained);

        // right[s][t]: whether sequence s's output at position t is its label; signRight likewise for the sign.
        boolean[][] right = new boolean[SEQUENCES][];
        boolean[][] signRight = new boolean[SEQUENCES][];
        SplittableRandom random = new SplittableRandom(20261207);
        int[][] inputs = new int[SEQUENCES][];
        for (int s = 0; s < SEQUENCES; s++) {
            inputs[s] = S3Task.inputs(LONGEST, random);
        }
        IntStream.range(0, SEQUENCES).parallel().forEach(s -> {
            int[] predicted = predict(model, inputs[s]);
            int[] labels = S3Task.labels(inputs[s]);
            right[s] = new boolean[LONGEST];
            signRight[s] = new boolean[LONGEST];
            for (int t = 0; t < LONGEST; t++) {
                right[s][t] = predicted[t] == labels[t];
                signRight[s][t] = S3Task.sign(predicted[t]) == S3Task.sign(labels[t]);
            }
        });

        StringBuilder table = new StringBuilder("| length | Java acc | quoted, tolerance | Java sign acc | quoted, tolerance |\n");
        for (int k = 0; k < 4; k++) {
            int length = trained << k;
            double[] acc = perSequence(right, length);
            double[] sign = perSequence(signRight, length);
            double quotedAcc = quoted.get(String.valueOf(length)).get("acc").asDouble();
            double accTolerance = tolerance(acc, QUOTED_SEQUENCES);
            double signTolerance = tolerance(sign, QUOTED_SIGN_SEQUENCES);
            table.append(String.format("| %d | %.4f | %.4f +- %.4f | %.4f | %.4f +- %.4f |%n", length, mean(acc), quotedAcc,
                    accTolerance, mean(sign), QUOTED_SIGN_ACCURACY[k], signTolerance));
            assertTrue(Math.abs(mean(acc) - quotedAcc) <= accTolerance, "accuracy at length " + length + ": " + table);
            assertTrue(Math.abs(mean(sign) - QUOTED_SIGN_ACCURACY[k]) <= signTolerance,
                    "sign accuracy at length " + length + ": " + table);
        }
        System.out.print("Transformer-PSM on S3, " + SEQUENCES + " sequences (Java):\n" + table);
    }

    /** Argmax of the logits at every position, prefilled in pieces of 64 tokens as an engine would. */
    private static int[] predict(SequenceModel model, int[] tokens) {
        int d = model.hiddenSize();
        int v = model.vocabSize();
        Workspace ws = model.newWorkspace(64);
        RecurrentState state = model.newState();
        float[] hidden = new float[tokens.length * d];
        for (int done = 0; done < tokens.length; done += 64) {
            model.prefill(state, tokens, done, Math.min(64, tokens.length - done), hidden, done * d, ws);
        }
        float[] logits = new float[tokens.length * v];
        model.logits(hidden, 0, tokens.length, logits, 0);
        int[] argmax = new int[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            for (int j = 1; j < v; j++) {
                if (logits[t * v + j] > logits[t * v + argmax[t]]) {
                    argmax[t] = j;
                }
            }
        }
        return argmax;
    }

    /** Each sequence's share of right outputs among its first {@code length}. */
    private static double[] perSequence(boolean[][] right, int length) {
        double[] out = new double[right.length];
        for (int s = 0; s < right.length; s++) {
            int n = 0;
            for (int t = 0; t < length; t++) {
                n += right[s][t] ? 1 : 0;
            }
            out[s] = (double) n / length;
        }
        return out;
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    /** {@link #STANDARD_ERRORS} standard errors of the difference between this sample's mean and another's of {@code n}. */
    private static double tolerance(double[] measured, int n) {
        double m = mean(measured);
        double variance = Arrays.stream(measured).map(x -> (x - m) * (x - m)).sum() / (measured.length - 1);
        return STANDARD_ERRORS * Math.sqrt(variance / measured.length + variance / n);
    }
}
