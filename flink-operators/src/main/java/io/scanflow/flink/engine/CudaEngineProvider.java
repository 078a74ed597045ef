package io.scanflow.flink.engine;

import io.scanflow.kernels.Engine;
import io.scanflow.kernels.EngineOptions;
import io.scanflow.kernels.cuda.CudaAvailability;
import io.scanflow.kernels.cuda.CudaEngine;
import io.scanflow.model.SequenceModel;
import java.util.List;

/**
 * The CUDA backend for the operators. A subtask takes the GPU Flink's external resource framework gave
 * its TaskManager ({@code external-resources: gpu}); with several, subtasks spread over them by index.
 * Small models get large prefill passes, so bundles of short requests (DNA reads) take few passes; the
 * engine's slots (allocated on the device up front) are sized for the keys the operator keeps live, within
 * a quarter of the device's free memory.
 */
public final class CudaEngineProvider implements EngineProvider {
    /** Share of the device's free memory one engine's slots may take (several subtasks may share a GPU). */
    private static final double SLOT_MEMORY_SHARE = 0.25;

    @Override
    public String backend() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return CudaAvailability.get().available();
    }

    /** Feature-input models (audio frames) need {@code prefillFeatures}, which the CUDA engine does not have. */
    @Override
    public boolean supports(SequenceModel model) {
        return model.inputFeatures() == 0;
    }

    @Override
    public Engine create(SequenceModel model, EngineSettings settings) {
        int device = device(settings.gpus(), settings.subtask());
        int fit = CudaEngine.slotsThatFit(model.config(), model.newState().data().length, device, SLOT_MEMORY_SHARE);
        EngineOptions options = EngineOptions.defaults()
                .withCpuThreads(settings.threads())
                .withChunkLength(settings.chunkLength())
                .withMaxSlots(Math.min(settings.keys(), fit))
                .withDevice(device)
                .withCuda(settings.cuda());
        return CudaEngine.create(model, settings.modelDirectory(), options);
    }

    /** The device ordinal for a subtask: Flink's GPU indexes round-robin, device 0 without any. */
    static int device(List<String> gpus, int subtask) {
        if (gpus.isEmpty()) {
            return 0;
        }
        String index = gpus.get(subtask % gpus.size()).trim();
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GPU index '" + index + "' from the external resource 'gpu' is not a number", e);
        }
    }
}
