package io.scanflow.kernels.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** Return-code checks for driver calls: every call goes through {@link #check} with what it was doing. */
final class Cuda {
    private Cuda() {}

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(what + ": " + describe(result), result);
        }
    }

    /** {@code CUDA_ERROR_X (driver's explanation)}. */
    static String describe(int result) {
        String name = CUresult.stringFor(result);
        String text = null;
        try {
            String[] s = new String[1];
            if (JCudaDriver.cuGetErrorString(result, s) == CUresult.CUDA_SUCCESS) {
                text = s[0];
            }
        } catch (LinkageError e) {
            // no driver library: the name alone
        }
        return text == null ? name : name + " (" + text + ")";
    }
}
