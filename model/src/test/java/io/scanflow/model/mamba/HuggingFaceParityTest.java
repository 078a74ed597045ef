package io.scanflow.model.mamba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.sampling.Sampler;
import io.scanflow.model.testing.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Java float32 against HF transformers with every weight upcast to float64.
 *
 * <p>Tolerance 1e-4 of the largest reference logit: float32 carries ~6e-8 relative rounding per
 * operation; through a few layers of sums over at most a few hundred terms the accumulated error stays
 * near 1e-6, so 1e-4 leaves two orders of margin while still catching any real formula difference
 * (a wrong sign, norm or gate moves logits by 1e-2 or more).
 */
class HuggingFaceParityTest {
    static final java.util.List<String> FIXTURES = Fixture.ALL;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void logitsMatchTransformersFloat64(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        assertEquals(f.vocab, model.vocabSize(), "logits width");
        Workspace ws = model.newWorkspace(f.length);
        float[] hidden = new float[f.length * model.hiddenSize()];
        float[] logits = new float[f.length * f.vocab];
        double worst = 0;
        for (int b = 0; b < f.batch; b++) {
            RecurrentState state = model.newState();
            model.prefill(state, f.sequence(b), 0, f.length, hidden, 0, ws);
            model.logits(hidden, 0, f.length, logits, 0);
            worst = Math.max(worst, Fixture.maxRelativeError(logits, 0, f.logits, b * f.length * f.vocab, logits.length));
        }
        System.out.printf("parity %-24s max relative error %.3e%n", name, worst);
        assertTrue(worst <= 1e-4, name + ": max relative error " + worst + " > 1e-4");
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void greedyContinuationsAreIdentical(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel model = ModelLoader.load(f.modelDir);
        Workspace ws = model.newWorkspace(f.promptLength);
        int v = model.vocabSize();
        float[] hidden = new float[f.promptLength * model.hiddenSize()];
        float[] logits = new float[v];
        for (int b = 0; b < f.batch; b++) {
            RecurrentState state = model.newState();
            int[] out = new int[f.promptLength + f.newTokens];
            int[] prompt = f.promptOf(b);
            System.arraycopy(prompt, 0, out, 0, prompt.length);
            model.prefill(state, prompt, 0, prompt.length, hidden, 0, ws);
            model.logits(hidden, (prompt.length - 1) * model.hiddenSize(), 1, logits, 0);
            for (int i = 0; i < f.newTokens; i++) {
                int next = Sampler.argmax(logits, 0, v);
                out[prompt.length + i] = next;
                model.step(new RecurrentState[] {state}, new int[] {next}, 0, 1, hidden, 0, ws);
                model.logits(hidden, 0, 1, logits, 0);
            }
            int[] expected = new int[out.length];
            System.arraycopy(f.greedy, b * out.length, expected, 0, out.length);
            assertArrayEquals(expected, out, name + " sequence " + b);
        }
    }
}
