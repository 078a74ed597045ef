package io.scanflow.kernels.cuda;

import io.scanflow.kernels.CudaTuning;
import io.scanflow.model.config.Mamba2Config;
import io.scanflow.model.config.MambaConfig;
import io.scanflow.model.config.ModelConfig;

/**
 * The model kinds the CUDA backend runs, found by the config's {@link ModelConfig#architecture()}: each makes
 * its layer mixer, says how much prefill workspace a token row takes and whether {@code generate} has an
 * on-device kernel for it.
 */
enum MixerKind {
    MAMBA1("mamba") {
        @Override
        DeviceMixer mixer(ModelConfig cfg, DeviceWeights w, Launcher l, int maxRows) {
            return new Mamba1Mixer((MambaConfig) cfg, w, l, maxRows);
        }

        @Override
        long workspaceFloatsPerRow(ModelConfig cfg) {
            return Mamba1Mixer.workspaceFloatsPerRow((MambaConfig) cfg);
        }

        @Override
        Mamba1Generator generator(ModelConfig cfg, DeviceWeights w, long lmHead, Launcher l, CudaTuning tuning) {
            MambaConfig m = (MambaConfig) cfg;
            return tuning.deviceGenerate() && Mamba1Generator.supports(m) ? new Mamba1Generator(m, w, lmHead, l) : null;
        }
    },
    MAMBA2("mamba2") {
        @Override
        DeviceMixer mixer(ModelConfig cfg, DeviceWeights w, Launcher l, int maxRows) {
            return new Mamba2Mixer((Mamba2Config) cfg, w, l, maxRows);
        }

        @Override
        long workspaceFloatsPerRow(ModelConfig cfg) {
            return Mamba2Mixer.workspaceFloatsPerRow((Mamba2Config) cfg);
        }

        @Override
        Mamba1Generator generator(ModelConfig cfg, DeviceWeights w, long lmHead, Launcher l, CudaTuning tuning) {
            return null;
        }
    };

    private final String architecture;

    MixerKind(String architecture) {
        this.architecture = architecture;
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
    abstract DeviceMixer mixer(ModelConfig cfg, DeviceWeights w, Launcher l, int maxRows);

    /** Floats of the mixer's workspace per token row. */
    abstract long workspaceFloatsPerRow(ModelConfig cfg);

    /** The on-device generator for this model, or null where {@code generate} loops over batched steps. */
    abstract Mamba1Generator generator(ModelConfig cfg, DeviceWeights w, long lmHead, Launcher l, CudaTuning tuning);
}
