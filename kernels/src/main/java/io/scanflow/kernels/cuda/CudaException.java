package io.scanflow.kernels.cuda;

/**
 * A CUDA call or kernel failed. The message names the operation (for a kernel: its name and launch
 * shape) and the driver's error, e.g. {@code kernel m1_scan_fwd grid(48,8,1) block(128,1,1) smem 20480:
 * CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)}.
 *
 * <p>It is unchecked on purpose: inside a Flink task it fails the task, and Flink restarts from the last
 * checkpoint (the engine's slots are then refilled from keyed state).
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int error;

    /** A failure with the driver's error code. */
    public CudaException(String message, int error) {
        super(message);
        this.error = error;
    }

    /** The driver's {@code CUresult} code. */
    public int error() {
        return error;
    }
}
