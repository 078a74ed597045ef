package io.scanflow.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probe behind the {@code auto} and {@code cuda} engine choices: it says why CUDA cannot run rather
 * than throwing, on a machine without a GPU (CI) as on one where the disable property turns it off.
 */
class CudaAvailabilityTest {

    @AfterEach
    void restore() {
        System.clearProperty(CudaAvailability.DISABLE_PROPERTY);
    }

    @Test
    void theDisablePropertyMakesCudaUnavailableAndSaysSo() {
        System.setProperty(CudaAvailability.DISABLE_PROPERTY, "true");
        CudaAvailability a = CudaAvailability.get();
        assertFalse(a.available());
        assertEquals(0, a.deviceCount());
        assertTrue(a.reason().contains(CudaAvailability.DISABLE_PROPERTY), a.reason());
    }

    /** The probe without the property: on a machine without a GPU it must say why, not throw. */
    @Test
    void probingARealMachineNeverThrows() {
        CudaAvailability a = CudaAvailability.get();
        assertEquals(a.available(), a.reason().isEmpty(), a.toString());
        assertEquals(a.available(), a.deviceCount() > 0, a.toString());
        System.out.println("cuda probe: " + a);
    }
}
