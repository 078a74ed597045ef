package io.scanflow.model.mamba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.model.RecurrentState;
import io.scanflow.model.SequenceModel;
import io.scanflow.model.Workspace;
import io.scanflow.model.loader.ModelLoader;
import io.scanflow.model.testing.FeatureModels;
import io.scanflow.model.testing.Fixture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Feature-input models: a one-hot feature vector through {@code input_proj = embedding^T} is exactly the
 * token's embedding (one non-zero product per output), so the feature model must reproduce the token
 * model bit for bit, and through it HF's reference logits.
 */
class FeatureInputTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mamba1-untied-bias", "mamba2-groups"})
    void oneHotFeaturesThroughTheTransposedEmbeddingEqualTheTokenModel(String name) {
        Fixture f = Fixture.load(name);
        SequenceModel tokenModel = ModelLoader.load(f.modelDir);
        int v = tokenModel.vocabSize(), d = tokenModel.hiddenSize();
        Path featureModel = FeatureModels.oneHotCopy(f.modelDir, dir);
        SequenceModel model = ModelLoader.load(featureModel);

        int[] seq = f.sequence(2);
        float[] features = new float[seq.length * v];
        for (int t = 0; t < seq.length; t++) {
            features[t * v + seq[t]] = 1f;
        }
        Workspace ws = model.newWorkspace(16);
        float[] expected = new float[seq.length * d];
        float[] actual = new float[seq.length * d];
        tokenModel.prefill(tokenModel.newState(), seq, 0, seq.length, expected, 0, ws);
        model.prefillFeatures(model.newState(), features, 0, seq.length, actual, 0, ws);
        assertArrayEquals(expected, actual, "prefill");

        float[] logits = new float[seq.length * v];
        model.logits(actual, 0, seq.length, logits, 0);
        double err = Fixture.maxRelativeError(logits, 0, f.logits, 2 * seq.length * v, logits.length);
        assertTrue(err <= 1e-4, "vs HF: " + err);

        RecurrentState s = model.newState();
        float[] stepped = new float[seq.length * d];
        Workspace one = model.newWorkspace(1);
        for (int t = 0; t < seq.length; t++) {
            float[] row = java.util.Arrays.copyOfRange(features, t * v, (t + 1) * v);
            model.stepFeatures(new RecurrentState[] {s}, row, 0, 1, stepped, t * d, one);
        }
        assertTrue(Fixture.maxRelativeError(stepped, expected) <= 1e-5, "step vs prefill");

        assertThrows(UnsupportedOperationException.class,
                () -> model.prefill(model.newState(), seq, 0, 1, null, 0, ws));
        assertThrows(UnsupportedOperationException.class,
                () -> tokenModel.prefillFeatures(tokenModel.newState(), features, 0, 1, null, 0, ws));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.prefillFeatures(model.newState(), new float[v + 1], 0, 2, null, 0, ws));
        assertTrue(e.getMessage().contains("rows of width " + v), e.getMessage());
    }
}
