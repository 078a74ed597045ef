package io.scanflow.model.loader;

import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.config.ModelConfigLoader;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.mamba.Mamba1;
import io.scanflow.model.mamba.Mamba2;
import io.scanflow.model.psm.transformer.TransformerPsmModel;
import io.scanflow.model.weights.Checkpoint;
import java.nio.file.Path;

/** Loads a model folder ({@code config.json} plus safetensors, either layout) into a runnable model. */
public final class ModelLoader {
    private ModelLoader() {}

    public static SequenceModel load(Path directory) {
        if (TransformerPsmConfig.describes(directory)) {
            return TransformerPsmModel.load(directory);
        }
        ModelConfig config = ModelConfigLoader.load(directory);
        // Weights are converted to float32 arrays while loading, so the mapped files can be closed here.
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            if (config instanceof MambaConfig) {
                return Mamba1.load((MambaConfig) config, checkpoint);
            }
            return Mamba2.load((Mamba2Config) config, checkpoint);
        }
    }
}
