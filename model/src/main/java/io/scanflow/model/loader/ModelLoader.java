package io.scanflow.model.loader;

import io.scanflow.model.SequenceModel;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import io.scanflow.model.config.ModelConfigLoader;
import io.scanflow.model.config.TransformerPsmConfig;
import io.scanflow.model.mamba.Mamba1;
import io.scanflow.model.mamba.Mamba2;
import io.scanflow.model.math.Kernels;
import io.scanflow.model.math.ScalarKernels;
import io.scanflow.model.psm.transformer.TransformerPsmModel;
import io.scanflow.model.weights.Checkpoint;
import java.nio.file.Path;

/** Loads a model folder ({@code config.json} plus safetensors, either layout) into a runnable model. */
public final class ModelLoader {
    private ModelLoader() {}

    /** Loads with the scalar reference kernels. */
    public static SequenceModel load(Path directory) {
        return load(directory, ScalarKernels.INSTANCE);
    }

    /**
     * Loads a model whose layers run on the given kernels (a backend's SIMD loops, say). The
     * Transformer-PSM keeps its own reference loops: its duality proof needs one fixed operation order.
     */
    public static SequenceModel load(Path directory, Kernels kernels) {
        if (TransformerPsmConfig.describes(directory)) {
            return TransformerPsmModel.load(directory);
        }
        ModelConfig config = ModelConfigLoader.load(directory);
        // Weights are converted to float32 arrays while loading, so the mapped files can be closed here.
        try (Checkpoint checkpoint = Checkpoint.open(directory)) {
            if (config instanceof MambaConfig) {
                return Mamba1.load((MambaConfig) config, checkpoint, kernels);
            }
            return Mamba2.load((Mamba2Config) config, checkpoint, kernels);
        }
    }
}
