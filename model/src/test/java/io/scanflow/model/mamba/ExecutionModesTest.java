package io.scanflow.model.mamba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.state.StateCodec;
import io.scanflow.model.testing.Fixture;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The three execution modes agree: recurrent step, chunked prefill (any chunk) and batched step.
 *
 * <p>Tolerance 1e-5 of the largest logit between modes: all are float32; Mamba-1's modes do the same
 * operations in the same order (agreeing bit for bit in practice), Mamba-2's prefill uses the SSD block
 * form whose sums are reassociated against the recurrence, worth a few float32 ulps per layer.
 */
class ExecutionModesTest {
    static final List<String> MODELS = List.of("mamba1-tied", "mamba1-untied-bias", "mamba2-basic", "mamba2-groups");

    @ParameterizedTest
    @FieldSource("MODELS")
    void stepChunkedPrefillAndBatchedStepAgree(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int v = model.vocabSize();
        int d = model.hiddenSize();
        int n = f.length;
        float[][] stepLogits = new float[f.batch][n * v];
        RecurrentState[] stepStates = new RecurrentState[f.batch];
        Workspace one = model.newWorkspace(1);
        float[] h = new float[d];
        // Recurrent step, one token at a time, one sequence at a time.
        for (int b = 0; b < f.batch; b++) {
            stepStates[b] = model.newState();
            int[] seq = f.sequence(b);
            for (int t = 0; t < n; t++) {
                model.step(new RecurrentState[] {stepStates[b]}, new int[] {seq[t]}, 0, 1, h, 0, one);
                model.logits(h, 0, 1, stepLogits[b], t * v);
            }
        }

        for (int chunk : new int[] {1, 7, 64, n}) {
            Workspace ws = model.newWorkspace(chunk);
            float[] hidden = new float[n * d];
            float[] logits = new float[n * v];
            for (int b = 0; b < f.batch; b++) {
                RecurrentState state = model.newState();
                model.prefill(state, f.sequence(b), 0, n, hidden, 0, ws);
                model.logits(hidden, 0, n, logits, 0);
                double err = Fixture.maxRelativeError(logits, stepLogits[b]);
                assertTrue(err <= 1e-5, name + " chunk " + chunk + ": prefill vs step " + err);
                assertEquals(n, state.position());
                double stateErr = Fixture.maxRelativeError(state.data(), stepStates[b].data());
                assertTrue(stateErr <= 1e-5, name + " chunk " + chunk + ": final state differs by " + stateErr);
            }
        }

        // Batched step: all sequences advance together, one token per call.
        RecurrentState[] batch = new RecurrentState[f.batch];
        for (int b = 0; b < f.batch; b++) {
            batch[b] = model.newState();
        }
        Workspace wsBatch = model.newWorkspace(f.batch);
        float[] hb = new float[f.batch * d];
        float[] lb = new float[f.batch * v];
        int[] tok = new int[f.batch];
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < f.batch; b++) {
                tok[b] = f.tokens[b * n + t];
            }
            model.step(batch, tok, 0, f.batch, hb, 0, wsBatch);
            model.logits(hb, 0, f.batch, lb, 0);
            for (int b = 0; b < f.batch; b++) {
                float[] expected = java.util.Arrays.copyOfRange(stepLogits[b], t * v, (t + 1) * v);
                float[] actual = java.util.Arrays.copyOfRange(lb, b * v, (b + 1) * v);
                assertArrayEquals(expected, actual, name + ": batched step row " + b + " token " + t);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void stateRoundTripMidSequenceContinuesIdentically(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        int n = f.length;
        int cut = 17;
        int[] seq = f.sequence(0);
        Workspace ws = model.newWorkspace(8);
        float[] expected = new float[(n - cut) * model.hiddenSize()];
        float[] actual = new float[expected.length];

        RecurrentState uninterrupted = model.newState();
        model.prefill(uninterrupted, seq, 0, cut, null, 0, ws);
        byte[] saved = StateCodec.encode(uninterrupted, model.fingerprint());
        model.prefill(uninterrupted, seq, cut, n - cut, expected, 0, ws);

        RecurrentState restored = model.newState();
        StateCodec.decode(saved, model.fingerprint(), restored);
        assertEquals(cut, restored.position());
        model.prefill(restored, seq, cut, n - cut, actual, 0, ws);
        assertArrayEquals(expected, actual, "continuation after a state round trip");
        assertArrayEquals(uninterrupted.data(), restored.data());
    }
}
