package io.scanflow.kernels.cuda;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;
import java.util.function.ToLongFunction;

/**
 * The model kinds the CUDA backend runs, found by the config's {@link ModelConfig#architecture()}: each makes
 * its layer mixer, says how much prefill workspace a token row takes and whether {@code generate} has an
 * on-device kernel for it.
 */
enum MixerKind {
    MAMBA1("mamba", (cfg, w, l, rows) -> new Mamba1Mixer((MambaConfig) cfg, w, l, rows),
            cfg -> Mamba1Mixer.workspaceFloatsPerRow((MambaConfig) cfg),
            (cfg, w, lmHead, l) -> Mamba1Generator.supports((MambaConfig) cfg)
                    ? new Mamba1Generator((MambaConfig) cfg, w, lmHead, l) : null),
    MAMBA2("mamba2", (cfg, w, l, rows) -> new Mamba2Mixer((Mamba2Config) cfg, w, l, rows),
            cfg -> Mamba2Mixer.workspaceFloatsPerRow((Mamba2Config) cfg),
            (cfg, w, lmHead, l) -> null);

    /** Makes a kind's mixer with workspace for {@code maxRows} rows. */
    private interface MixerFactory {
        DeviceMixer create(ModelConfig cfg, DeviceWeights w, Launcher l, int maxRows);
    }

    /** Makes a kind's on-device generator, or null where the model has none. */
    private interface GeneratorFactory {
        Mamba1Generator create(ModelConfig cfg, DeviceWeights w, long lmHead, Launcher l);
    }

    private final String architecture;
    private final MixerFactory mixers;
    private final ToLongFunction<ModelConfig> workspace;
    private final GeneratorFactory generators;

    MixerKind(String architecture, MixerFactory mixers, ToLongFunction<ModelConfig> workspace,
              GeneratorFactory generators) {
        this.architecture = architecture;
        this.mixers = mixers;
        this.workspace = workspace;
        this.generators = generators;
    }

    /** The kind of {@code cfg}, or null for an architecture the backend does not run. */
    static MixerKind find(ModelConfig cfg) {
        for (MixerKind k : values()) {
            if (k.architecture.equals(cfg.architecture())) {
                return k;
            }
        }
        return null;
    }

    /** The kind of {@code cfg}; throws for an architecture the backend does not run. */
    static MixerKind of(ModelConfig cfg) {
        MixerKind k = find(cfg);
        if (k == null) {
            throw new IllegalArgumentException("the CUDA backend does not run " + cfg.architecture() + " models");
        }
        return k;
    }

    /** The layer mixer, with workspace for {@code maxRows} rows. */
    DeviceMixer mixer(ModelConfig cfg, DeviceWeights w, Launcher l, int maxRows) {
        return mixers.create(cfg, w, l, maxRows);
    }

    /** Floats of the mixer's workspace per token row. */
    long workspaceFloatsPerRow(ModelConfig cfg) {
        return workspace.applyAsLong(cfg);
    }

    /**
     * The on-device generator for this model, or null where {@code generate} loops over batched steps (the
     * kind has none, the model is past its limits, or {@link CudaTuning#deviceGenerate} is off).
     */
    Mamba1Generator generator(ModelConfig cfg, DeviceWeights w, long lmHead, Launcher l, CudaTuning tuning) {
        return tuning.deviceGenerate() ? generators.create(cfg, w, lmHead, l) : null;
    }
}
