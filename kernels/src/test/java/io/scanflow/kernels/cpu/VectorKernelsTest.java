package io.scanflow.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.math.ScalarKernels;
import io.scanflow.model.testing.Fixture;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The SIMD kernels against the scalar reference. Tolerance 1e-5 relative to the largest output: the two
 * differ in summation order (vector lanes) and in the vector exp (about 1 ulp), a few float32 ulps.
 */
class VectorKernelsTest {
    static final java.util.List<String> FIXTURES = Fixture.ALL;

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @CsvSource({"1,7,3", "3,16,5", "4,33,17", "9,64,130", "5,1,1", "64,768,1536", "130,512,300"})
    void linearMatchesTheScalarReference(int rows, int in, int out) {
        Random r = new Random(rows * 31 + in);
        int xStride = in + 3;
        int yStride = out + 2;
        float[] x = random(r, rows * xStride + 5);
        float[] w = random(r, out * in);
        float[] bias = random(r, out);
        float[] expected = new float[rows * yStride + 4];
        float[] actual = new float[rows * yStride + 4];
        ScalarKernels.INSTANCE.linear(x, 5, xStride, rows, in, w, bias, out, expected, 4, yStride);
        VectorKernels.INSTANCE.linear(x, 5, xStride, rows, in, VectorKernels.INSTANCE.prepareLinear(w, out, in), bias, out,
                actual, 4, yStride);
        assertTrue(Fixture.maxRelativeError(actual, expected) <= 1e-5, "error " + Fixture.maxRelativeError(actual, expected));
    }

    /** Tighter than the class's bound: only the order of the sum of squares differs (float lanes vs double). */
    @ParameterizedTest
    @CsvSource({"3,7", "5,32", "2,33", "4,768"})
    void rmsNormMatchesTheScalarReference(int rows, int n) {
        Random r = new Random(n);
        float[] x = random(r, rows * n + 3);
        float[] weight = random(r, n);
        float[] expected = new float[rows * n + 2];
        float[] actual = new float[rows * n + 2];
        ScalarKernels.INSTANCE.rmsNorm(x, 3, weight, 1e-5f, expected, 2, rows, n);
        VectorKernels.INSTANCE.rmsNorm(x, 3, weight, 1e-5f, actual, 2, rows, n);
        assertTrue(Fixture.maxRelativeError(actual, expected) <= 1e-6, "error " + Fixture.maxRelativeError(actual, expected));
    }

    /**
     * A row's value must not depend on how many rows its call had (exactly-once replay relies on it):
     * narrow and wide panels, partial panels, row blocks and the threaded split of big calls.
     */
    @ParameterizedTest
    @CsvSource({"7,100,37", "7,100,20", "50,100,1536", "53,64,80", "61,48,300"})
    void aRowIsBitIdenticalWhateverItsBatch(int rows, int in, int out) {
        Random r = new Random(3);
        float[] x = random(r, rows * in);
        float[] w = random(r, out * in);
        float[] bias = random(r, out);
        float[] all = new float[rows * out];
        w = VectorKernels.INSTANCE.prepareLinear(w, out, in);
        VectorKernels.INSTANCE.linear(x, 0, in, rows, in, w, bias, out, all, 0, out);
        for (int row = 0; row < rows; row++) {
            float[] alone = new float[out];
            VectorKernels.INSTANCE.linear(x, row * in, in, 1, in, w, bias, out, alone, 0, out);
            assertArrayEquals(Arrays.copyOfRange(all, row * out, (row + 1) * out), alone, "row " + row);
        }
    }

    @Test
    void elementwiseActivationsMatchTheScalarReference() {
        Random r = new Random(9);
        float[] a = new float[203];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * 12); // covers softplus' linear branch above 20 and deep negatives
        }
        a[0] = 20.5f;
        a[1] = -90f;
        float[] z = random(r, a.length);
        for (String op : new String[] {"silu", "gate", "softplus"}) {
            float[] expected = a.clone();
            float[] actual = a.clone();
            switch (op) {
                case "silu":
                    ScalarKernels.INSTANCE.siluInPlace(expected, 3, 197);
                    VectorKernels.INSTANCE.siluInPlace(actual, 3, 197);
                    break;
                case "gate":
                    ScalarKernels.INSTANCE.siluGate(expected, 1, z, 2, 200);
                    VectorKernels.INSTANCE.siluGate(actual, 1, z, 2, 200);
                    break;
                default:
                    ScalarKernels.INSTANCE.softplusInPlace(expected, 0, 203);
                    VectorKernels.INSTANCE.softplusInPlace(actual, 0, 203);
            }
            for (int i = 0; i < a.length; i++) {
                assertTrue(Math.abs(actual[i] - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])),
                        op + " at " + i + ": " + actual[i] + " vs " + expected[i]);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"64,16,1", "64,16,40", "72,5,9", "24,33,3", "1536,16,300"})
    void selectiveScanMatchesTheScalarReference(int channels, int n, int rows) {
        Random r = new Random(channels + n + rows);
        float[] delta = new float[rows * channels];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (float) Math.log1p(Math.exp(r.nextGaussian()));
        }
        float[] u = random(r, rows * channels);
        float[] z = random(r, rows * 2 * channels);
        int bcStride = 3 + 2 * n;
        float[] bc = random(r, rows * bcStride);
        float[] negA = new float[channels * n];
        for (int i = 0; i < negA.length; i++) {
            negA[i] = (float) -Math.exp(r.nextGaussian());
        }
        float[] d = random(r, channels);
        float[] state0 = random(r, channels * n);
        float[] s1 = state0.clone();
        // The SIMD scan keeps A and the state in its own order; the state is compared in the portable one.
        VectorKernels v = VectorKernels.INSTANCE;
        float[] s2 = new float[channels * n + 5];
        v.scanStateFromPortable(state0, 0, channels, n, s2, 5);
        float[] y1 = new float[rows * channels];
        float[] y2 = new float[rows * channels];
        ScalarKernels.INSTANCE.selectiveScan(channels, n, rows, delta, u, 0, z, channels, 2 * channels, bc, 3, 3 + n,
                bcStride, negA, d, s1, 0, y1);
        v.selectiveScan(channels, n, rows, delta, u, 0, z, channels, 2 * channels, bc, 3, 3 + n,
                bcStride, v.prepareScanA(negA, channels, n), d, s2, 5, y2);
        float[] portable = new float[channels * n];
        v.scanStateToPortable(s2, 5, channels, n, portable, 0);
        assertTrue(Fixture.maxRelativeError(y2, y1) <= 1e-5, "outputs " + Fixture.maxRelativeError(y2, y1));
        assertTrue(Fixture.maxRelativeError(portable, s1) <= 1e-5, "states " + Fixture.maxRelativeError(portable, s1));
    }

    /** The scan's own order of a state converts to the portable [channels, N] order and back unchanged. */
    @ParameterizedTest
    @CsvSource({"64,16", "37,5", "7,3", "1536,16"})
    void scanStateOrderRoundTrips(int channels, int n) {
        float[] portable = random(new Random(channels * 31 + n), channels * n);
        VectorKernels v = VectorKernels.INSTANCE;
        float[] own = new float[channels * n + 2];
        v.scanStateFromPortable(portable, 0, channels, n, own, 2);
        float[] back = new float[channels * n + 1];
        v.scanStateToPortable(own, 2, channels, n, back, 1);
        assertArrayEquals(portable, Arrays.copyOfRange(back, 1, back.length));
        // Each whole block of lanes' channels is transposed; the channels after the last whole block are not.
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        if (channels >= lanes && n > 1) {
            assertEquals(portable[n], own[2 + 1], "channel 1, state 0 sits second in its block");
        }
        int tail = channels - channels % lanes;
        for (int i = tail * n; i < channels * n; i++) {
            assertEquals(portable[i], own[2 + i], "tail channel float " + i);
        }
    }

    /** The conv window's time-major order converts to the portable [channels, K-1] order and back, also in place. */
    @ParameterizedTest
    @CsvSource({"128,3", "37,3", "5,1"})
    void convWindowOrderRoundTrips(int channels, int keep) {
        float[] portable = random(new Random(channels * 7 + keep), channels * keep);
        VectorKernels v = VectorKernels.INSTANCE;
        float[] own = new float[channels * keep + 3];
        v.convWindowFromPortable(portable, 0, channels, keep, own, 3);
        if (keep > 1) {
            assertEquals(portable[keep], own[3 + 1], "channel 1's oldest input sits second");
        }
        float[] back = new float[channels * keep + 1];
        v.convWindowToPortable(own, 3, channels, keep, back, 1);
        assertArrayEquals(portable, Arrays.copyOfRange(back, 1, back.length));
        v.convWindowToPortable(own, 3, channels, keep, own, 3);
        assertArrayEquals(portable, Arrays.copyOfRange(own, 3, own.length), "in place");
    }

    /**
     * A scan call of one row (a recurrent step) and one of many rows (a prefill chunk) run different loops
     * and must give the same bits, so a stream's outputs do not depend on how its tokens were split into
     * calls. Exact equality: both run the same float operations in the same order.
     */
    @ParameterizedTest
    @CsvSource({"40,16,9", "128,8,5", "48,4,3", "37,5,4"})
    void selectiveScanIsBitIdenticalWhateverTheRowsPerCall(int channels, int n, int rows) {
        Random r = new Random(channels * n + rows);
        float[] delta = new float[rows * channels];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (float) Math.log1p(Math.exp(r.nextGaussian()));
        }
        float[] u = random(r, rows * channels);
        float[] z = random(r, rows * channels);
        int bcStride = 2 * n;
        float[] bc = random(r, rows * bcStride);
        float[] negA = new float[channels * n];
        for (int i = 0; i < negA.length; i++) {
            negA[i] = (float) -Math.exp(r.nextGaussian());
        }
        negA = VectorKernels.INSTANCE.prepareScanA(negA, channels, n);
        float[] d = random(r, channels);
        float[] together = random(r, channels * n);
        float[] oneByOne = together.clone();
        float[] yTogether = new float[rows * channels];
        float[] yOneByOne = new float[rows * channels];
        VectorKernels.INSTANCE.selectiveScan(channels, n, rows, delta, u, 0, z, 0, channels, bc, 0, n, bcStride,
                negA, d, together, 0, yTogether);
        for (int t = 0; t < rows; t++) {
            VectorKernels.INSTANCE.selectiveScan(channels, n, 1, delta, u, t * channels, z, t * channels, channels, bc,
                    t * bcStride, t * bcStride + n, bcStride, negA, d, oneByOne, 0, yOneByOne);
        }
        assertArrayEquals(yTogether, yOneByOne);
        assertArrayEquals(together, oneByOne);
    }

    /** The conv over lanes of channels does the scalar loop's multiplies and adds in its order: exact. */
    @ParameterizedTest
    @CsvSource({"128,4,9", "37,4,3", "16,3,1"})
    void convRowsIsBitIdenticalToTheScalarLoop(int channels, int kernel, int rows) {
        Random r = new Random(channels + kernel);
        int inStride = 2 * channels + 1;
        float[] in = random(r, (rows + kernel) * inStride);
        float[] weight = random(r, channels * kernel);
        float[] bias = random(r, channels);
        for (float[] b : new float[][] {bias, null}) {
            float[] expected = new float[rows * channels + 3];
            float[] actual = new float[rows * channels + 3];
            ScalarKernels.INSTANCE.convRows(in, 2, inStride, expected, 3, channels, rows, channels, kernel, weight, b);
            VectorKernels.INSTANCE.convRows(in, 2, inStride, actual, 3, channels, rows, channels, kernel, weight, b);
            assertArrayEquals(expected, actual);
        }
    }

    /**
     * The step conv (a time-major window, slid by vector copies) against the scalar loop over several
     * steps: the outputs, and the window after each step read back in the portable order, are exact.
     * Widths cover a channel tail and fewer channels than lanes, windows of 0 to 3 older inputs, and two
     * weights in turn through the transposed-weight cache.
     */
    @ParameterizedTest
    @CsvSource({"128,4", "37,4", "16,2", "35,3", "5,4", "20,1"})
    void convStepIsBitIdenticalToTheScalarLoop(int channels, int kernel) {
        Random r = new Random(channels * kernel);
        int keep = kernel - 1;
        float[][] weights = {random(r, channels * kernel), random(r, channels * kernel)};
        float[] bias = random(r, channels);
        float[] expectedWindow = random(r, channels * keep + 5);
        float[] actualWindow = expectedWindow.clone();
        VectorKernels.INSTANCE.convWindowFromPortable(expectedWindow, 4, channels, keep, actualWindow, 4);
        for (int step = 0; step < 6; step++) {
            float[] in = random(r, channels + 1);
            float[] weight = weights[step % 2];
            float[] b = step % 3 == 2 ? null : bias;
            float[] expected = new float[channels + 2];
            float[] actual = new float[channels + 2];
            ScalarKernels.INSTANCE.convStep(in, 1, expected, 2, expectedWindow, 4, channels, kernel, weight, b);
            VectorKernels.INSTANCE.convStep(in, 1, actual, 2, actualWindow, 4, channels, kernel, weight, b);
            assertArrayEquals(expected, actual, "outputs, step " + step);
            float[] portable = actualWindow.clone();
            VectorKernels.INSTANCE.convWindowToPortable(actualWindow, 4, channels, keep, portable, 4);
            assertArrayEquals(expectedWindow, portable, "window, step " + step);
        }
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void modelsOnVectorKernelsMatchTransformersAndTheReference(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel vector = CpuEngine.loadModel(f.modelDir);
        SequenceModel scalar = ModelLoader.load(f.modelDir);
        int v = f.vocab, d = vector.hiddenSize();
        Workspace wsV = vector.newWorkspace(16);
        Workspace wsS = scalar.newWorkspace(16);
        float[] h = new float[f.length * d];
        float[] logitsV = new float[f.length * v];
        float[] logitsS = new float[f.length * v];
        for (int b = 0; b < f.batch; b++) {
            vector.prefill(vector.newState(), f.sequence(b), 0, f.length, h, 0, wsV);
            vector.logits(h, 0, f.length, logitsV, 0);
            scalar.prefill(scalar.newState(), f.sequence(b), 0, f.length, h, 0, wsS);
            scalar.logits(h, 0, f.length, logitsS, 0);
            double vsHf = Fixture.maxRelativeError(logitsV, 0, f.logits, b * f.length * v, f.length * v);
            assertTrue(vsHf <= 1e-4, name + " vs HF: " + vsHf);
            double vsScalar = Fixture.maxRelativeError(logitsV, logitsS);
            assertTrue(vsScalar <= 1e-5, name + " vs scalar: " + vsScalar);
        }
        RecurrentState s = vector.newState();
        assertTrue(s.data().length > 0);
    }
}
