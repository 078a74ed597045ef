package io.scanflow.flink.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scanflow.flink.ModelSpec;
import io.scanflow.flink.ScanFlowOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

class CpuShareTest {

    @Test
    void aSpecThatNamesItsThreadsGetsThem() {
        Configuration tm = new Configuration();
        tm.set(ScanFlowOptions.CPU_THREADS_PER_SUBTASK, 3);
        assertEquals(5, CpuShare.threads(5, tm, 16));
    }

    @Test
    void theOptionDecidesForAnAutoSpec() {
        Configuration tm = new Configuration();
        tm.set(ScanFlowOptions.CPU_THREADS_PER_SUBTASK, 3);
        tm.set(TaskManagerOptions.NUM_TASK_SLOTS, 8);
        assertEquals(3, CpuShare.threads(ModelSpec.AUTO_THREADS, tm, 16));
    }

    @Test
    void withoutTheOptionASubtaskGetsItsSlotsShareOfTheProcessors() {
        Configuration tm = new Configuration();
        tm.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
        assertEquals(4, CpuShare.threads(ModelSpec.AUTO_THREADS, tm, 16));
        assertEquals(1, CpuShare.threads(ModelSpec.AUTO_THREADS, tm, 2), "at least one thread");
        assertEquals(16, CpuShare.threads(ModelSpec.AUTO_THREADS, new Configuration(), 16), "one slot by default");
    }

    @Test
    void aBadOptionValueIsRefusedWithItsKey() {
        Configuration tm = new Configuration();
        tm.set(ScanFlowOptions.CPU_THREADS_PER_SUBTASK, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuShare.threads(ModelSpec.AUTO_THREADS, tm, 4));
        assertTrue(e.getMessage().contains("scanflow.cpu.threads-per-subtask"), e.getMessage());
    }
}
